"""What a worker's page shows beside the worker's own row: the days recorded per pay period, the
payments, and the history ("riwayat") in words (docs/architecture.md, "The worker page")."""

from dataclasses import dataclass

from sqlalchemy.orm import defer, joinedload

from .. import db
from ..formatting import waktu
from ..models import Attendance, Payment
from ..records.history import history
from ..wages import days_by_period, pay_periods
from .worker import WORKER

# Values a version derives from others: the birth date from the NIK, the season from the KSM.
DERIVED = {"birth_date", "season"}


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
    """Every payment to the worker, reversed ones too, by period; the pictures are not loaded."""
    rows = db.session.execute(
        db.select(Payment, Payment.signature.is_not(None), Payment.photo.is_not(None))
        .options(defer(Payment.signature), defer(Payment.photo), joinedload(Payment.reversal))
        .where(Payment.worker_id == worker.id)
        .order_by(Payment.period_start, Payment.round)
    )
    return [PaymentRow(payment, bool(signed), bool(photo)) for payment, signed, photo in rows]


@dataclass
class Entry:
    """One version of the worker, in words."""

    uuid: str  # the version's uuid (what a correction of it `replaces`)
    title: str  # "Didaftarkan", "Data diubah", "Dinonaktifkan", "Diaktifkan kembali"
    when: str  # when it was recorded on the phone, in the programme's zone
    who: str
    changes: list  # (label, before, after) in the conflict cards' words
    current: bool


def riwayat(worker, zone) -> list[Entry]:
    """The worker's versions, newest first: who changed what, and when."""
    # Imported here: the conflicts package loads the record kinds, and the payment kind loads workers.
    from ..conflicts.cards import Names

    versions = history(WORKER, worker)
    names = Names().load([v.data for v in versions])
    entries = []
    for number, version in enumerate(versions):
        changed = [(f, old, new) for f, old, new in version.changed if f not in DERIVED]
        entries.append(
            Entry(
                uuid=version.uuid,
                title=_title(number, dict((f, (old, new)) for f, old, new in changed)),
                when=waktu(version.recorded_at or version.received_at, zone),
                who=version.made_by.full_name if version.made_by else "–",
                changes=_in_words(changed, names, zone),
                current=version.current,
            )
        )
    return entries[::-1]


def _title(number, changed) -> str:
    if number == 0:
        return "Didaftarkan"
    if "active" in changed:
        return "Diaktifkan kembali" if changed["active"][1] else "Dinonaktifkan"
    return "Data diubah"


def _in_words(changed, names, zone) -> list[tuple[str, str, str]]:
    from ..conflicts.cards import readable

    before = readable({f: old for f, old, _ in changed}, names, zone)
    after = readable({f: new for f, _, new in changed}, names, zone)
    return [(label, old, new) for (label, old), (_, new) in zip(before, after, strict=True)]
