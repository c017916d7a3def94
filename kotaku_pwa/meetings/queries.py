"""What the meeting pages read: meetings with their attendee counts, health checks, and each
kelurahan's stage and compliance, in a few queries per page."""

from dataclasses import dataclass, field

from sqlalchemy import case, func

from .. import db, protocol
from ..dashboard.figures import kelurahan_figures
from ..models import HealthCheck, Meeting, MeetingAttendee


@dataclass
class Area:
    """The meetings and checks of a kelurahan or KSM, with its compliance."""

    meetings: list = field(default_factory=list)
    checks: list = field(default_factory=list)

    @property
    def compliance(self):
        return protocol.mean_compliance(protocol.compliance(c) for c in self.checks)


def overview(kelurahan_ids, ksm_ids, only_ksm=None):
    """Areas by kelurahan id and by KSM id; `only_ksm` keeps a treasurer to their KSM's records."""
    meetings = db.select(Meeting).where(Meeting.kelurahan_id.in_(kelurahan_ids))
    checks = db.select(HealthCheck).where(HealthCheck.kelurahan_id.in_(kelurahan_ids))
    if only_ksm is not None:
        meetings = meetings.where(Meeting.ksm_id == only_ksm)
        checks = checks.where(HealthCheck.ksm_id == only_ksm)
    by_kelurahan = {i: Area() for i in kelurahan_ids}
    by_ksm = {i: Area() for i in ksm_ids}
    for meeting in db.session.scalars(meetings.order_by(Meeting.held_on.desc(), Meeting.id.desc())):
        by_kelurahan[meeting.kelurahan_id].meetings.append(meeting)
        if meeting.ksm_id in by_ksm:
            by_ksm[meeting.ksm_id].meetings.append(meeting)
    for check in db.session.scalars(checks.order_by(HealthCheck.checked_on.desc(), HealthCheck.id.desc())):
        by_kelurahan[check.kelurahan_id].checks.append(check)
        if check.ksm_id in by_ksm:
            by_ksm[check.ksm_id].checks.append(check)
    return by_kelurahan, by_ksm


def attendee_counts(meeting_ids):
    """meeting id → (attendees, women)."""
    rows = db.session.execute(
        db.select(
            Meeting.id,
            func.count(MeetingAttendee.id),
            func.coalesce(func.sum(case((MeetingAttendee.gender == "P", 1), else_=0)), 0),
        )
        .join(MeetingAttendee, MeetingAttendee.meeting_id == Meeting.id)
        .where(Meeting.id.in_(meeting_ids))
        .group_by(Meeting.id)
    )
    return {meeting_id: (total, int(women)) for meeting_id, total, women in rows}


def progress_of(kelurahan_ids, today):
    """kelurahan id → stages.Progress (the dashboard's read model computes it)."""
    return {k.id: k.progress for k in kelurahan_figures(kelurahan_ids, today)}
