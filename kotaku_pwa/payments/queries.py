"""What the wage list, the ledger and the LPJ sheets read: a few aggregate queries per page."""

from dataclasses import dataclass

from sqlalchemy import func

from .. import db
from ..ledger import balance, late_periods, short_of_wages
from ..models import (
    Attendance,
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
    wages_paid = sum(p.amount for p in standing_payments(ksm.id))
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
    }


def _programme_year(ksm):
    # The KSM's own programme (issue 13): a DFAT KSM in a kelurahan of both gets the DFAT plan.
    return db.session.execute(
        db.select(ProgrammeYear).filter_by(year=ksm.start_date.year, programme=ksm.programme or "CFW")
    ).scalar_one_or_none()


def wage_share_target(ksm) -> int:
    year = _programme_year(ksm)
    return year.wage_share_target if year else DEFAULT_WAGE_SHARE_TARGET


def tranche_plan(ksm) -> list[tuple[int, int, int]]:
    """(tahap, percent, rupiah of the KSM budget) of the programme year's plan."""
    year = _programme_year(ksm)
    percentages = year.tranche_percentages if year else [70, 30]
    return [(i, pct, ksm.budget * pct // 100) for i, pct in enumerate(percentages, start=1)]
