"""What the wage list, the ledger and the LPJ sheets read: a few aggregate queries per page."""

from dataclasses import dataclass

from sqlalchemy import func

from .. import db
from ..ledger import balance, late_periods, short_of_wages
from ..models import (
    Attendance,
    Kelurahan,
    Ksm,
    Payment,
    PaymentReversal,
    ProgrammeYear,
    Spending,
    TrancheReceipt,
    Worker,
)
from ..wages import (
    DEFAULT_WAGE_SHARE_TARGET,
    pay_periods,
    rates_in_force,
    totals,
    wage_lines,
    wage_share,
)


def ksm_rates(ksm) -> dict:
    """Each category's daily rate for a KSM (wages.rates_in_force of its kota's rates and overrides)."""
    return rates_in_force(ksm.kelurahan.kecamatan.kota.wage_rates(), ksm.wage_overrides())


@dataclass
class WageRow:
    worker: Worker
    line: object  # wages.WageLine
    payment: Payment | None  # the standing (not reversed) payment of the period


def standing_payments(ksm_id, start=None):
    """Payments not reversed, of a KSM (and one period when `start` is given)."""
    query = (
        db.select(Payment)
        .outerjoin(PaymentReversal)
        .where(Payment.ksm_id == ksm_id, PaymentReversal.id.is_(None))
    )
    if start is not None:
        query = query.where(Payment.period_start == start)
    return db.session.scalars(query).all()


def _without_proof():
    """The conditions of a standing cash payment made without signature or photo (Payment.without_proof)."""
    return (
        PaymentReversal.id.is_(None),
        Payment.method == "cash",
        Payment.signature.is_(None),
        Payment.photo.is_(None),
    )


def payments_flagged(kelurahan_ids) -> dict[int, int]:
    """{kelurahan id: number of standing payments made without signature or photo} (export.csv)."""
    rows = db.session.execute(
        db.select(Ksm.kelurahan_id, func.count(Payment.id))
        .select_from(Payment)
        .join(Ksm, Payment.ksm_id == Ksm.id)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Ksm.kelurahan_id.in_(list(kelurahan_ids)), *_without_proof())
        .group_by(Ksm.kelurahan_id)
    )
    return dict(rows.all())


def flagged_payments(ksm_query, limit=50):
    """The latest standing payments without signature or photo in the KSMs of `ksm_query`, for review."""
    ksm_ids = ksm_query.with_only_columns(Ksm.id).order_by(None).scalar_subquery()
    return db.session.scalars(
        db.select(Payment)
        .outerjoin(PaymentReversal, PaymentReversal.payment_id == Payment.id)
        .where(Payment.ksm_id.in_(ksm_ids), *_without_proof())
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(limit)
    ).all()


def present_between(start, end):
    """The conditions of a present day (HOK) from start to end, both included."""
    return Attendance.present.is_(True), Attendance.work_date.between(start, end)


def hok_by_worker(ksm_id, start, end):
    rows = db.session.execute(
        db.select(Attendance.worker_id, func.count(Attendance.id))
        .where(Attendance.ksm_id == ksm_id, *present_between(start, end))
        .group_by(Attendance.worker_id)
    )
    return dict(rows.all())


def wage_list(ksm, start, end):
    """Each worker's HOK, rate, amount and payment for one period, with the totals."""
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)).all()
    payments = {p.worker_id: p for p in standing_payments(ksm.id, start)}
    lines = wage_lines(
        [(w.id, w.category) for w in workers],
        hok_by_worker(ksm.id, start, end),
        ksm_rates(ksm),
        {worker_id: p.amount for worker_id, p in payments.items()},
    )
    rows = [WageRow(w, line, payments.get(w.id)) for w, line in zip(workers, lines, strict=True)]
    return rows, totals(lines)


def ledger(ksm, today):
    """Receipts, wages paid, spending, balance, wage share and the alerts of a KSM."""
    receipts = db.session.scalars(
        db.select(TrancheReceipt).where(TrancheReceipt.ksm_id == ksm.id).order_by(TrancheReceipt.tranche)
    ).all()
    spending = db.session.scalars(
        db.select(Spending).where(Spending.ksm_id == ksm.id).order_by(Spending.spent_on)
    ).all()
    standing = standing_payments(ksm.id)
    wages_paid = sum(p.amount for p in standing)
    spent = sum(s.amount for s in spending)
    received = sum(r.amount for r in receipts)
    periods = []
    for start, end in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
        if start > today:
            break
        periods.append((start, end, wage_list(ksm, start, end)[1]["outstanding"]))
    outstanding = sum(p[2] for p in periods)
    left = balance(received, wages_paid, spent)
    return {
        "receipts": receipts,
        "spending": spending,
        "received": received,
        "wages_paid": wages_paid,
        "spent": spent,
        "balance": left,
        "outstanding": outstanding,
        "late": late_periods(periods, today),
        "short": short_of_wages(left, outstanding),
        "wage_share": wage_share(wages_paid, spent),
        "target": wage_share_target(ksm),
        "plan": tranche_plan(ksm),
        "flagged": sorted((p for p in standing if p.without_proof), key=lambda p: (p.paid_on, p.id)),
    }


def _programme_year(ksm):
    kelurahan = db.session.get(Kelurahan, ksm.kelurahan_id)
    programme = "CFW" if kelurahan.cfw else "DFAT"
    return db.session.execute(
        db.select(ProgrammeYear).filter_by(year=ksm.start_date.year, programme=programme)
    ).scalar_one_or_none()


def wage_share_target(ksm) -> int:
    year = _programme_year(ksm)
    return year.wage_share_target if year else DEFAULT_WAGE_SHARE_TARGET


def tranche_plan(ksm) -> list[tuple[int, int, int]]:
    """(tahap, percent, rupiah of the KSM budget) of the programme year's plan."""
    year = _programme_year(ksm)
    percentages = year.tranche_percentages if year else [70, 30]
    return [(i, pct, ksm.budget * pct // 100) for i, pct in enumerate(percentages, start=1)]
