"""What a worker's page shows beside the worker's own row: the days recorded per pay period, the
payments, and the history ("riwayat") in words (docs/architecture.md, "The worker page")."""

from dataclasses import dataclass

from sqlalchemy.orm import joinedload

from .. import db
from ..models import Attendance, Payment
from ..wages import days_by_period, pay_periods


def attendance(worker, ksm) -> list:
    """The worker's recorded days per pay period of the KSM (wages.PeriodDays), oldest first."""
    days = db.session.execute(
        db.select(Attendance.work_date, Attendance.present).where(Attendance.worker_id == worker.id)
    ).all()
    return days_by_period(days, pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period))


@dataclass
class PaymentRow:
    payment: Payment
    signed: bool  # a signature drawn on the phone
    photographed: bool  # a photo of the thumbprinted paper list

    @property
    def flagged(self) -> bool:
        """Cash paid without signature or photo (Payment.without_proof, read without the pictures)."""
        return self.payment.method == "cash" and not (self.signed or self.photographed)


def payments(worker) -> list[PaymentRow]:
    """Every payment to the worker, reversed ones too, by period (the pictures stay in the image store)."""
    rows = db.session.scalars(
        db.select(Payment)
        .options(joinedload(Payment.reversal))
        .where(Payment.worker_id == worker.id)
        .order_by(Payment.period_start, Payment.round)
    )
    return [PaymentRow(p, p.signature_key is not None, p.photo_key is not None) for p in rows]


def in_words(versions, zone) -> list[dict]:
    """The worker's versions (records/history.py) in words, newest first (templates/_history.html)."""
    from ..conflicts.cards import history_words  # the conflicts package imports the record kinds

    return history_words(versions, zone)
