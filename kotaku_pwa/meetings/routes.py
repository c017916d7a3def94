from flask import abort, current_app, render_template, request
from flask_login import login_required

from .. import db, protocol, stages, storage, vocabulary
from ..access import get_kelurahan, get_ksm, kelurahan_query, ksm_query, may, place_of, user_scope
from ..models import HealthCheck, Meeting
from ..records.history import history
from ..roles import writers_of
from ..scope import can_write
from ..workdays import today
from . import bp
from .health_check import HEALTH_CHECK
from .health_check import data_of as check_data
from .meeting import MEETING
from .meeting import data_of as meeting_data
from .queries import attendee_counts, overview, progress_of


@bp.get("/")
@login_required
def index():
    """Meetings and health checks per kelurahan and per KSM in scope, with stage and compliance."""
    from ..dfat.queries import dfat_progress_of  # the dfat package imports the meeting kind

    scope = user_scope()
    kelurahan = db.session.scalars(kelurahan_query()).all()
    ksms = db.session.scalars(ksm_query()).all()
    treasurer = scope.role == "bendahara"  # their KSM's records only, never the kelurahan-wide ones
    by_kelurahan, by_ksm = overview(
        [k.id for k in kelurahan], [k.id for k in ksms], scope.ksm_id if treasurer else None
    )
    return render_template(
        "meetings/index.html",
        kelurahan=kelurahan,
        ksms=ksms,
        treasurer=treasurer,
        by_kelurahan=by_kelurahan,
        by_ksm=by_ksm,
        counts=attendee_counts([m.id for area in by_kelurahan.values() for m in area.meetings]),
        check_of={c.meeting_id: c for area in by_kelurahan.values() for c in area.checks if c.meeting_id},
        progress={} if treasurer else progress_of([k.id for k in kelurahan], _today()),
        dfat_progress={} if treasurer else dfat_progress_of([k.id for k in kelurahan]),
        may_meet={k.id for k in kelurahan if can_write(scope, MEETING.writers, place_of(k))},
        may_check={k.id for k in ksms if can_write(scope, HEALTH_CHECK.writers, place_of(k))},
        **_labels(),
    )


@bp.get("/new")
@may("record_meetings")
def new():
    """The meeting form with its attendance list; saved into the phone's outbox (meetings.js)."""
    kelurahan = _kelurahan_to_meet()
    chosen = kelurahan[0] if kelurahan else None
    if "kelurahan_id" in request.args:
        chosen = get_kelurahan(request.args.get("kelurahan_id", type=int), "meeting")
    ksms = db.session.scalars(ksm_query()).all()
    return render_template("meetings/new.html", kelurahan=kelurahan, chosen=chosen, ksms=ksms, **_labels())


@bp.get("/<int:meeting_id>/edit")
@may("record_meetings")
def edit(meeting_id):
    """The meeting form filled from the current version; saved as a correction that replaces it."""
    meeting = _meeting(meeting_id, "meeting")
    return render_template(
        "meetings/new.html",
        kelurahan=_kelurahan_to_meet(),
        chosen=meeting.kelurahan,
        ksms=db.session.scalars(ksm_query()).all(),
        meeting=meeting,
        current=meeting_data(meeting),
        **_labels(),
    )


@bp.get("/check/<int:check_id>/edit")
@may("record_health")
def edit_check(check_id):
    """A health-protocol check's form filled from its current version, saved as a correction."""
    check = db.session.get(HealthCheck, check_id) or abort(404)
    if check.ksm_id is not None:
        get_ksm(check.ksm_id, "health_check")
    else:
        get_kelurahan(check.kelurahan_id, "health_check")
    return render_template(
        "meetings/health.html",
        ksm=check.ksm,
        kelurahan=check.kelurahan,
        meeting=check.meeting,
        check=check,
        current=check_data(check),
        riwayat=_riwayat(HEALTH_CHECK, check),
        protocol=protocol,
    )


def _kelurahan_to_meet():
    """The kelurahan where the user may record (or move) a meeting."""
    scope = user_scope()
    return [
        k for k in db.session.scalars(kelurahan_query()) if can_write(scope, MEETING.writers, place_of(k))
    ]


@bp.get("/ksm/<int:ksm_id>/health")
@login_required  # get_ksm asks whether the role writes health checks (403)
def health(ksm_id):
    """The health-protocol check of a KSM's work day (temperature three times, APD)."""
    ksm = get_ksm(ksm_id, "health_check")
    return render_template(
        "meetings/health.html", ksm=ksm, kelurahan=ksm.kelurahan, meeting=None, protocol=protocol
    )


@bp.get("/<int:meeting_id>/health")
@may("record_health")
def meeting_health(meeting_id):
    """The health-protocol check of a meeting recorded without one."""
    meeting = _meeting(meeting_id, "health_check")
    return render_template(
        "meetings/health.html",
        ksm=meeting.ksm,
        kelurahan=meeting.kelurahan,
        meeting=meeting,
        protocol=protocol,
    )


@bp.get("/<int:meeting_id>")
@login_required
def detail(meeting_id):
    """One meeting: attendance list with counts by gender, topics and outcomes, TIPP, health check."""
    meeting = _meeting(meeting_id)
    check = meeting.health_check
    scope, place = user_scope(), place_of(meeting.ksm or meeting.kelurahan)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        check=check,
        may_check=can_write(scope, HEALTH_CHECK.writers, place),
        may_edit=can_write(scope, MEETING.writers, place_of(meeting.kelurahan)),
        riwayat=_riwayat(MEETING, meeting),
        check_riwayat=_riwayat(HEALTH_CHECK, check) if check else [],
        # A TIPP meeting of a DFAT kelurahan fills its TIPP register in one tap (dfat/routes.py).
        may_fill_tipp=meeting.type == "tipp"
        and meeting.kelurahan.dfat
        and can_write(scope, writers_of("watsan_survey"), place_of(meeting.kelurahan)),
        **_labels(),
    )


@bp.get("/<int:meeting_id>/daftar-hadir")
@login_required
def daftar_hadir(meeting_id):
    """The meeting's attendance list as a printable A4 page, with a column to sign."""
    return render_template("meetings/daftar-hadir.html", meeting=_meeting(meeting_id), **_labels())


@bp.get("/<int:meeting_id>/photo")
@login_required
def photo(meeting_id):
    """The meeting's photo, only for those who may see the meeting."""
    return storage.answer(_meeting(meeting_id).photo_key or abort(404))


def _meeting(meeting_id, write_kind=None):
    """The meeting if the user may see it (a treasurer: their KSM's only); 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    if meeting.ksm_id is not None:
        get_ksm(meeting.ksm_id, write_kind)
    else:
        get_kelurahan(meeting.kelurahan_id, write_kind)
    return meeting


def _riwayat(kind, row):
    """The record's versions in words, newest first (conflicts/cards.py::history_words)."""
    from ..conflicts.cards import history_words  # the conflicts package imports the record kinds

    return history_words(history(kind, row), current_app.config["TIMEZONE"])


def _labels():
    return {
        "types": vocabulary.TYPES,
        "topics": vocabulary.COACHING_TOPICS,
        "outcomes": vocabulary.MP2K_OUTCOMES,
        "roles": vocabulary.ATTENDEE_ROLES,
        "tipp_roles": vocabulary.TIPP_ROLES,
        "genders": vocabulary.GENDERS,
        "vocabulary": vocabulary,
        "protocol": protocol,
        "stages": stages,
    }


def _today():
    return today(current_app.config["TIMEZONE"])
