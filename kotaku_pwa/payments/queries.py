"""What the wage list, the ledger and the LPJ sheets read: a few aggregate queries per page."""

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import and_, bindparam, func

from .. import db
from ..dashboard.figures import not_reversed
from ..database import one_of
from ..ledger import balance, late_periods, short_of_wages
from ..models import (
    Attendance,
    Ksm,
    OverpaidPeriod,
    Payment,
    ProgrammeYear,
    Spending,
    TrancheReceipt,
    Worker,
)
from ..wages import (
    DEFAULT_WAGE_SHARE_TARGET,
    WageLine,
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
    payment: Payment | None  # the first standing (not reversed) payment of the period
    payments: list = field(default_factory=list)  # every standing payment (a top-up follows the first)

    @property
    def paid_days(self) -> int:
        return sum(p.days for p in self.payments)

    @property
    def top_up_days(self) -> int:
        """Days still to pay when HOK grew after a payment (kekurangan bayar)."""
        return max(self.line.hok - self.paid_days, 0) if self.payments else 0

    @property
    def sheet_days(self) -> int:
        """HOK on the signed sheet: the days paid and signed for, else the days due."""
        return self.paid_days if self.payments else self.line.hok

    @property
    def sheet_amount(self) -> int:
        """The amount on the signed sheet: what was paid and signed, else what is due."""
        return self.line.paid if self.payments else self.line.due

    @property
    def difference(self) -> int:
        """Due now − paid: positive is kekurangan bayar, negative kelebihan bayar."""
        return self.line.due - self.line.paid if self.payments else 0


def standing_payments(ksm_id, start=None):
    """Payments not reversed, of a KSM (and one period when `start` is given)."""
    return db.session.scalars(_standing(ksm_id, start)).all()


def _standing(ksm_id, start=None):
    query = db.select(Payment).where(Payment.ksm_id == ksm_id, not_reversed())
    if start is not None:
        query = query.where(Payment.period_start == start)
    return query


def _without_proof():
    """The conditions of a standing cash payment made without signature or photo (Payment.without_proof)."""
    return (
        not_reversed(),
        Payment.method == "cash",
        Payment.signature_key.is_(None),
        Payment.photo_key.is_(None),
    )


def flagged_payments(ksm_query, limit=50):
    """The latest standing payments without signature or photo in the KSMs of `ksm_query`, for review."""
    ksm_ids = ksm_query.with_only_columns(Ksm.id).order_by(None).scalar_subquery()
    return db.session.scalars(
        db.select(Payment)
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


@cache
def _wage_rows_statement():
    """Workers by name, each with their HOK in the period and its standing payments (one row per
    payment): built once, for building it cost more than running it (issue 14)."""
    ksm_id, start, end = bindparam("ksm_id"), bindparam("start"), bindparam("end")
    # The standing payments' ids as a subquery (an aliased entity per request costs more than the query).
    standing = _standing(ksm_id, start).with_only_columns(Payment.id)
    hok = (
        db.select(func.count(Attendance.id))
        .where(Attendance.worker_id == Worker.id, Attendance.ksm_id == ksm_id, *present_between(start, end))
        .scalar_subquery()
    )
    return (
        db.select(Worker, Payment, hok)
        .outerjoin(Payment, and_(Payment.worker_id == Worker.id, Payment.id.in_(standing)))
        .where(Worker.ksm_id == ksm_id)
        .order_by(Worker.name, Worker.id, Payment.round)
    )


def _wage_rows(ksm_id, start, end):
    """Workers by name, worker id → HOK, worker id → standing payments: one statement (issue 14)."""
    params = {"ksm_id": ksm_id, "start": start, "end": end}
    rows = db.session.execute(_wage_rows_statement(), params).all()
    workers = list({worker.id: worker for worker, _, _ in rows}.values())
    days = {worker.id: count for worker, _, count in rows if count}
    payments = {}  # worker id → standing payments of the period, by round
    for worker, paid, _ in rows:
        if paid is not None:
            payments.setdefault(worker.id, []).append(paid)
    return workers, days, payments


def wage_list(ksm, start, end):
    """Each worker's HOK, rate, amount and payment for one period, with the totals."""
    workers, hok, payments = _wage_rows(ksm.id, start, end)
    lines = wage_lines(
        [(w.id, w.category) for w in workers],
        hok,
        ksm_rates(ksm),
        {worker_id: sum(p.amount for p in paid) for worker_id, paid in payments.items()},
    )
    rows = [
        WageRow(w, line, (payments.get(w.id) or [None])[0], payments.get(w.id, []))
        for w, line in zip(workers, lines, strict=True)
        # A worker deactivated before the period, with nothing in it, is no longer on the list.
        if w.on_list(start) or line.hok or w.id in payments
    ]
    return rows, totals([row.line for row in rows])


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
    periods, differences = [], []
    for start, end in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
        if start > today:
            break
        total = wage_list(ksm, start, end)[1]
        periods.append((start, end, total["outstanding"]))
        if total["overpaid"] or total["shortfall"]:
            differences.append((start, end, total["overpaid"], total["shortfall"]))
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
        # Periods whose payments no longer match the wages due (a paid day corrected): until settled.
        "differences": differences,
        "overpaid": sum(d[2] for d in differences),
        "short": short_of_wages(left, outstanding),
        "wage_share": wage_share(wages_paid, spent),
        "target": wage_share_target(ksm),
        "plan": tranche_plan(ksm),
        "flagged": sorted((p for p in standing if p.without_proof), key=lambda p: (p.paid_on, p.id)),
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


def wages_overpaid(kelurahan_ids) -> dict:
    """{kelurahan id: rupiah} of kelebihan bayar (export.csv `wages_overpaid`): over each worker's pay
    period, the payments not reversed minus the wages now due (present HOK × the paid daily rate),
    where positive. Read from the overpaid_period rollup (dashboard/rollups.py::recount_overpaid)."""
    rows = db.session.execute(
        db.select(Ksm.kelurahan_id, func.sum(OverpaidPeriod.amount))
        .join(Ksm, OverpaidPeriod.ksm_id == Ksm.id)
        .where(one_of(Ksm.kelurahan_id, kelurahan_ids))
        .group_by(Ksm.kelurahan_id)
    )
    return {kelurahan_id: int(value) for kelurahan_id, value in rows}


@dataclass
class PaidCorrection:
    """What accepting a held attendance correction of a paid day means in rupiah (the conflict card)."""

    payments: list  # the standing payments of the worker's period holding the day, by round
    hok_now: int
    line: WageLine  # the period's wages were the correction accepted: due, paid, over/short

    @property
    def period(self):
        return self.payments[0].period_start, self.payments[0].period_end

    @property
    def paid_days(self) -> int:
        return sum(p.days for p in self.payments)


def paid_correction(worker_id, day, present_before: bool, present_after: bool) -> PaidCorrection | None:
    """The payments a correction of this worker's `day` would contradict, and the difference accepting
    it leaves (kelebihan / kekurangan bayar until settled); None when the day is not paid."""
    payments = db.session.scalars(
        db.select(Payment)
        .where(
            Payment.worker_id == worker_id,
            Payment.period_start <= day,
            Payment.period_end >= day,
            not_reversed(),
        )
        .order_by(Payment.round)
    ).all()
    if not payments:
        return None
    start, end = payments[0].period_start, payments[0].period_end
    hok_now = db.session.scalar(
        db.select(func.count(Attendance.id)).where(
            Attendance.worker_id == worker_id, *present_between(start, end)
        )
    )
    hok_after = hok_now + int(bool(present_after)) - int(bool(present_before))
    paid = sum(p.amount for p in payments)
    return PaidCorrection(payments, hok_now, WageLine(worker_id, hok_after, payments[0].daily_rate, paid))
