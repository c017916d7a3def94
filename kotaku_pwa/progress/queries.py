"""What the progress pages, the LPJ pack, the weekly report and the papan informasi read."""

from datetime import date

from sqlalchemy import func

from .. import db, physical, protocol
from ..database import one_of
from ..models import (
    Attendance,
    HealthCheck,
    Ksm,
    Meeting,
    Payment,
    PaymentReversal,
    ProgressReport,
    Spending,
    Worker,
    WorkItem,
)
from ..payments.queries import ledger

PR = ProgressReport
# What a report's row and its photo's caption both show: day, percent, item, where the photo was taken.
_REPORT_COLUMNS = (
    PR.id,
    PR.reported_on,
    PR.percent,
    PR.work_item_id,
    PR.photo_lat,
    PR.photo_lon,
    PR.photo_taken_at,
)


def work_items(ksm_id):
    """The KSM's work items, in the order they were set."""
    return db.session.scalars(
        db.select(WorkItem).where(WorkItem.ksm_id == ksm_id).order_by(WorkItem.id)
    ).all()


def reports(ksm_id):
    """The KSM's progress reports, oldest first, without their photos (has_photo says if there is one)."""
    return db.session.execute(
        db.select(*_REPORT_COLUMNS, PR.notes, PR.photo_key.isnot(None).label("has_photo"))
        .where(PR.ksm_id == ksm_id)
        .order_by(PR.reported_on, PR.id)
    ).all()


def percent_now(ksm_id, items=None, rows=None) -> int:
    """The KSM's percent complete by its latest reports."""
    items = work_items(ksm_id) if items is None else items
    rows = reports(ksm_id) if rows is None else rows
    return physical.percent_on(
        date.max,
        [(r.reported_on, r.work_item_id, r.percent) for r in rows],
        {i.id: i.planned_cost for i in items},
    )


def progress_percent(kelurahan_ids) -> dict:
    """{kelurahan id: the budget-weighted mean of its KSMs' latest percent} (export.csv; a KSM
    without a report counts as 0; whole number)."""
    ids = list(kelurahan_ids)
    if not ids:
        return {}
    order = func.row_number().over(
        partition_by=(PR.ksm_id, PR.work_item_id), order_by=(PR.reported_on.desc(), PR.id.desc())
    )
    ranked = (
        db.select(PR.ksm_id, PR.work_item_id, PR.percent, order.label("rank"))
        .join(Ksm, PR.ksm_id == Ksm.id)
        .where(one_of(Ksm.kelurahan_id, ids))
        .subquery()
    )
    latest = {
        (row.ksm_id, row.work_item_id): row.percent
        for row in db.session.execute(db.select(ranked).where(ranked.c.rank == 1))
    }
    items = {}
    for item in db.session.execute(
        db.select(WorkItem.id, WorkItem.ksm_id, WorkItem.planned_cost)
        .join(Ksm, WorkItem.ksm_id == Ksm.id)
        .where(one_of(Ksm.kelurahan_id, ids))
    ):
        items.setdefault(item.ksm_id, []).append((item.planned_cost, latest.get((item.ksm_id, item.id))))
    parts = {}
    for ksm in db.session.execute(
        db.select(Ksm.id, Ksm.kelurahan_id, Ksm.budget).where(one_of(Ksm.kelurahan_id, ids))
    ):
        percent = physical.ksm_percent(latest.get((ksm.id, None)), items.get(ksm.id, []))
        parts.setdefault(ksm.kelurahan_id, []).append((ksm.budget, percent))
    return {kelurahan_id: physical.weighted_percent(parts.get(kelurahan_id, [])) for kelurahan_id in ids}


def figures(ksm, today) -> dict:
    """The KSM's summary: money, HOK, workers by gender, progress and health-protocol compliance."""
    book = ledger(ksm, today)
    spent = book["wages_paid"] + book["spent"]
    men, women = _workers_by_gender(ksm.id)
    checks = db.session.scalars(db.select(HealthCheck).where(HealthCheck.ksm_id == ksm.id)).all()
    hok = db.session.scalar(
        db.select(func.count(Attendance.id)).where(Attendance.ksm_id == ksm.id, Attendance.present.is_(True))
    )
    return {
        "budget": ksm.budget,
        "received": book["received"],
        "wages_paid": book["wages_paid"],
        "other_spending": book["spent"],
        "absorbed": physical.share(spent, ksm.budget),
        "wage_share": book["wage_share"],
        "wage_share_target": book["target"],
        "hok": hok,
        "men": men,
        "women": women,
        "workers": men + women,
        "women_share": physical.share(women, men + women),
        "progress": percent_now(ksm.id),
        "compliance": protocol.mean_compliance(protocol.compliance(c) for c in checks),
        "book": book,
    }


def _workers_by_gender(ksm_id):
    counts = dict(
        db.session.execute(
            db.select(Worker.gender, func.count(Worker.id))
            .where(Worker.ksm_id == ksm_id)
            .group_by(Worker.gender)
        ).all()
    )
    return counts.get("L", 0), counts.get("P", 0)


def weekly(ksm, today) -> list:
    """The KSM's weekly rows (physical.Week) from its first week up to today's (or its last)."""
    return _weekly(ksm, physical.weeks(ksm.start_date, min(ksm.end_date, today)))


def kelurahan_weekly(kelurahan, today) -> list:
    """The kelurahan's weekly rows, over the weeks of all its KSMs."""
    ksms = list(kelurahan.ksm)
    if not ksms:
        return []
    first = min(k.start_date for k in ksms)
    last = min(max(k.end_date for k in ksms), today)
    week_list = physical.weeks(first, last)
    return physical.combine_weeks([_weekly(k, week_list) for k in ksms], [k.budget for k in ksms])


def _weekly(ksm, week_list):
    rows = reports(ksm.id)
    items = {i.id: i.planned_cost for i in work_items(ksm.id)}
    made = [(r.reported_on, r.work_item_id, r.percent) for r in rows]
    attendance = db.session.execute(
        db.select(Attendance.worker_id, Worker.gender, Attendance.work_date)
        .join(Worker, Attendance.worker_id == Worker.id)
        .where(Attendance.ksm_id == ksm.id, Attendance.present.is_(True))
    ).all()
    payments = db.session.execute(
        db.select(Payment.paid_on, Payment.amount)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.ksm_id == ksm.id, PaymentReversal.id.is_(None))
    ).all()
    spending = db.session.execute(
        db.select(Spending.spent_on, Spending.amount).where(Spending.ksm_id == ksm.id)
    ).all()
    return physical.week_rows(
        week_list,
        ksm.budget,
        lambda day: physical.percent_on(day, made, items),
        [tuple(a) for a in attendance],
        [tuple(p) for p in payments],
        [tuple(s) for s in spending],
    )


def evidence(ksm_id) -> dict:
    """The KSM's photos by kind (progress.photos.SOURCES), without loading the images."""
    return {
        "progress": db.session.execute(
            db.select(*_REPORT_COLUMNS)
            .where(PR.ksm_id == ksm_id, PR.photo_key.isnot(None))
            .order_by(PR.reported_on, PR.id)
        ).all(),
        "meeting": db.session.execute(
            db.select(Meeting.id, Meeting.held_on, Meeting.type, Meeting.place)
            .where(Meeting.ksm_id == ksm_id, Meeting.photo_key.isnot(None))
            .order_by(Meeting.held_on, Meeting.id)
        ).all(),
        "payment": db.session.execute(
            db.select(Payment.id, Payment.period_start, Payment.paid_on, Worker.name)
            .join(Worker, Payment.worker_id == Worker.id)
            .where(Payment.ksm_id == ksm_id, Payment.photo_key.isnot(None))
            .order_by(Payment.period_start, Worker.name)
        ).all(),
        "receipt": db.session.execute(
            db.select(Spending.id, Spending.spent_on, Spending.description, Spending.amount)
            .where(Spending.ksm_id == ksm_id, Spending.receipt_photo_key.isnot(None))
            .order_by(Spending.spent_on, Spending.id)
        ).all(),
    }
