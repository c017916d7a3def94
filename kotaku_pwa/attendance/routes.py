from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import and_, bindparam

from .. import database, db, htmx
from ..access import get_ksm, get_ksm_day, ksm_query
from ..bounds import day_or_404
from ..models import Attendance, Worker
from ..remembered_pages import remembered
from ..workdays import date_problem, default_day, today, week_of
from ..workers.worker import worker_on_list
from . import bp


@bp.get("/")
@login_required
def index():
    """Choose a KSM; each opens on today (kept inside its activity period)."""
    day = today(current_app.config["TIMEZONE"])
    ksms = db.session.scalars(ksm_query()).all()
    return render_template(
        "attendance/index.html",
        ksms=ksms,
        work_day={k.id: default_day(k.start_date, k.end_date, day) for k in ksms},
    )


@bp.get("/<int:ksm_id>/go")
@login_required
def go(ksm_id):
    """The date picker's plain-HTML fallback: redirect to the chosen day."""
    day = _parse_day(request.args.get("day", ""))
    return redirect(url_for("attendance.day", ksm_id=ksm_id, day=day.isoformat()))


@bp.get("/<int:ksm_id>/<day>")
@login_required
@remembered
def day(ksm_id, day):
    """The attendance day page: every worker of the KSM with a checkbox, one save."""
    work_day = _parse_day(day)
    ksm = get_ksm_day(ksm_id, work_day)
    problem = date_problem(work_day, ksm.start_date, ksm.end_date, today(current_app.config["TIMEZONE"]))
    workers, versions = _workers_and_day(ksm.id, work_day)
    recorded = {worker_id: present for worker_id, (present, _) in versions.items()}
    # A deactivated worker leaves the list from that day on; a day already recorded keeps them.
    off_list = [w.uuid for w in workers if not (worker_on_list(w, work_day) or w.id in recorded)]
    workers = [w for w in workers if worker_on_list(w, work_day) or w.id in recorded]
    return render_template(
        "attendance/day.html",
        ksm=ksm,
        day=work_day,
        problem=problem,
        workers=workers,
        off_list=off_list,
        recorded=recorded,
        versions={worker_id: version for worker_id, (_, version) in versions.items()},
        hok=sum(1 for p in recorded.values() if p),
        # The day buttons stay inside the KSM's activity period.
        prev_day=work_day - timedelta(days=1) if work_day > ksm.start_date else None,
        next_day=work_day + timedelta(days=1) if work_day < ksm.end_date else None,
        state=ksm if ksm.decision else None,
    )


@bp.get("/<int:ksm_id>/<day>/week")
@login_required
def week(ksm_id, day):
    """HOK per worker for the week around a day (a fragment for htmx, or a page of its own)."""
    ksm = get_ksm(ksm_id)
    days = week_of(_parse_day(day), ksm.start_date, ksm.end_date)
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)).all()
    present = set(
        db.session.execute(
            db.select(Attendance.worker_id, Attendance.work_date).where(
                Attendance.ksm_id == ksm.id,
                Attendance.present.is_(True),
                Attendance.work_date.in_(days),
            )
        )
    )
    template = "attendance/_week.html" if htmx else "attendance/week.html"
    return render_template(
        template, ksm=ksm, days=days, workers=workers, present=present, day=_parse_day(day)
    )


# What the attendance day shows of a worker (and whether they are on the day's list), with the day's
# attendance; built once (building a statement costs more than running it).
WORKERS_AND_DAY = (
    db.select(
        Worker.id,
        Worker.uuid,
        Worker.name,
        Worker.category,
        Worker.active,
        Worker.inactive_from,
        Attendance.present,
        Attendance.version,
    )
    .outerjoin(
        Attendance,
        and_(
            Attendance.worker_id == Worker.id,
            Attendance.ksm_id == bindparam("ksm_id"),
            Attendance.work_date == bindparam("day"),
        ),
    )
    .where(Worker.ksm_id == bindparam("ksm_id"))
    .order_by(Worker.name)
)


def _workers_and_day(ksm_id, work_day):
    """The KSM's workers by name (the columns the page shows), and worker id → (present, current
    version uuid) for the attendance already stored for this day (a re-save sends a correction that
    `replaces` the version).

    One statement (workers left-joined to the day's attendance): the page's budget is 3 queries.
    Plain rows, not Worker objects: a KSM has up to a hundred workers, and building each object cost
    more than the query (issue 14).
    """
    rows = database.rows(WORKERS_AND_DAY, {"ksm_id": ksm_id, "day": work_day}).all()
    return rows, {w.id: (w.present, w.version) for w in rows if w.present is not None}


def _parse_day(value):
    return day_or_404(value)  # 9999-12-31 has no next day: out-of-range dates are 404
