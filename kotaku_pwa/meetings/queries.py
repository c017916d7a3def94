"""What the meeting pages read: meetings with their attendee counts, health checks, and each
kelurahan's stage and compliance, in a few queries per page."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func

from .. import db, protocol, stages
from ..dashboard.queries import kelurahan_rows
from ..models import HealthCheck, Kelurahan, Ksm, Meeting, MeetingAttendee


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
    """kelurahan id → stages.Progress, from its meetings, HOK, wages and activity period."""
    ordered = sorted(kelurahan_ids)
    money = kelurahan_rows(db.select(Kelurahan).where(Kelurahan.id.in_(ordered)).order_by(Kelurahan.id))
    held = defaultdict(set)
    for kelurahan_id, kind in db.session.execute(
        db.select(Meeting.kelurahan_id, Meeting.type).where(Meeting.kelurahan_id.in_(ordered)).distinct()
    ):
        held[kelurahan_id].add(kind)
    # An MP2K that recorded the coaching topics counts as coaching KSM (held together, as in the seed).
    mp2k_topics = defaultdict(list)
    for kelurahan_id, topics in db.session.execute(
        db.select(Meeting.kelurahan_id, Meeting.topics).where(
            Meeting.kelurahan_id.in_(ordered), Meeting.type == "mp2k"
        )
    ):
        mp2k_topics[kelurahan_id].append(topics)
    last_day = dict(
        db.session.execute(
            db.select(Ksm.kelurahan_id, func.max(Ksm.end_date))
            .where(Ksm.kelurahan_id.in_(ordered))
            .group_by(Ksm.kelurahan_id)
        ).all()
    )
    return {
        kelurahan_id: stages.progress(
            held[kelurahan_id],
            row["hok"],
            last_day.get(kelurahan_id) is not None and last_day[kelurahan_id] < today,
            row["wages_due"],
            row["wages_paid"],
            coached_at_mp2k=stages.coaching_recorded(mp2k_topics[kelurahan_id]),
        )
        for kelurahan_id, row in zip(ordered, money, strict=True)
    }
