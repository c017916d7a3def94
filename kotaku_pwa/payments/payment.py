"""The one write path of a wage payment, signed or thumbprinted by the worker."""

from .. import db, images, storage
from ..models import Attendance, Payment, PaymentReversal, Worker
from ..records.fields import Held, New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from ..wages import payment_problems, proof_problems
from ..workdays import date_problem
from ..workers.worker import member_of
from .locks import locked_reason
from .queries import ksm_rates, present_between


class PaymentKind(KsmRecordKind):
    name = "payment"
    model = Payment
    writers = writers_of("payment")
    fields = known_fields(
        "ksm_id worker_uuid period_start period_end days daily_rate amount paid_on method "
        "reference signature photo no_proof_reason"
    )
    clash_reason = "Pekerja ini sudah dibayar untuk periode tersebut."
    after = ("worker",)
    correction_refused = "Pembayaran tidak dapat dikoreksi: batalkan (reverse) lalu bayar ulang."

    def build(self, r, ksm, batch, recorded_on):
        worker_uuid = r.uuid("worker_uuid")
        start, end = r.day("period_start"), r.day("period_end")
        days = r.integer("days")
        daily_rate = r.integer("daily_rate")
        amount = r.integer("amount")
        paid_on = r.past_day("paid_on", batch.today, "Tanggal bayar")
        method = r.choice("method", ("cash", "transfer"))
        reference = r.text("reference", max_len=60, required=method == "transfer")
        signature = images.read(r, "signature", images.SIGNATURE)
        photo = images.read(r, "photo")
        no_proof_reason = r.text("no_proof_reason", max_len=300, required=False)
        if method == "cash" and "signature" not in r.errors and "photo" not in r.errors:
            r.errors.update(proof_problems(signature, photo, no_proof_reason))
        worker = member_of(r, batch, ksm, worker_uuid)
        _check_period(r, ksm, batch, start, end, paid_on)
        if r.errors:
            return None, None
        hok = hok_in_period(batch, worker, start, end)
        r.errors.update(payment_problems(days, daily_rate, amount, ksm_rates(ksm)[worker.category], hok))
        if r.errors:
            return None, None
        locked = locked_reason(batch, ksm.id, start, end)
        if locked:  # paying into a verified period waits for the supervisor
            raise Held(*locked)
        overlap = _overlapping(worker, start, end)
        if overlap:
            raise Held(
                ("payment", overlap.uuid, overlap.id),
                "Periode pembayaran ini tumpang tindih dengan pembayaran lain.",
            )
        round_ = _round(worker, start, days, hok)
        row = New(
            Payment,
            ksm_id=ksm.id,
            worker=worker,
            period_start=start,
            period_end=end,
            days=days,
            daily_rate=daily_rate,
            amount=amount,
            paid_on=paid_on,
            method=method,
            reference=reference,
            **storage.stored("signature", signature),
            **storage.stored("photo", photo),
            no_proof_reason=no_proof_reason,
            round=round_,
        )
        return row, (worker_uuid, start, round_)

    def audit_detail(self, row) -> dict:
        """One line of the trail per KSM and pay period."""
        return {"period_start": row.period_start.isoformat()}

    def existing_keys(self, batch):
        uuids = [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]
        rows = db.session.execute(
            db.select(
                Worker.uuid.label("worker_uuid"),
                Payment.period_start,
                Payment.round,
                Payment.uuid,
                Payment.id,
            )
            .join(Worker, Payment.worker_id == Worker.id)
            .where(Worker.uuid.in_(uuids))
        )
        return {(p.worker_uuid, p.period_start, p.round): (p.uuid, p.id) for p in rows}


PAYMENT = PaymentKind()


def _check_period(r, ksm, batch, start, end, paid_on):
    if start and end and end < start:
        r.errors["period_end"] = "Akhir periode tidak boleh sebelum awal periode."
    if start:
        problem = date_problem(start, ksm.start_date, ksm.end_date, batch.today)
        if problem:
            r.errors["period_start"] = "Periode di masa depan." if start > batch.today else problem
    if end and end > ksm.end_date:
        r.errors["period_end"] = "Akhir periode di luar masa kegiatan KSM."
    if paid_on and start and paid_on < start:
        r.errors["paid_on"] = "Tanggal bayar tidak boleh sebelum awal periode."


def hok_in_period(batch, worker, start, end) -> int:
    """Present days recorded for the worker in the period, including this batch's attendance."""
    stored = 0
    if worker.id is not None:
        stored = db.session.scalar(
            db.select(db.func.count(Attendance.id)).where(
                Attendance.worker_id == worker.id, *present_between(start, end)
            )
        )
    new = batch.new_attendance
    return stored + sum(1 for a in new if a.worker is worker and a.present and start <= a.work_date <= end)


def _overlapping(worker, start, end):
    """A standing (not reversed) payment of the worker whose period overlaps but starts elsewhere."""
    if worker.id is None:
        return None
    return db.session.scalars(
        db.select(Payment)
        .outerjoin(PaymentReversal)
        .where(
            Payment.worker_id == worker.id,
            Payment.period_start != start,
            Payment.period_start <= end,
            Payment.period_end >= start,
            PaymentReversal.id.is_(None),
        )
    ).first()


def _round(worker, start, days, hok) -> int:
    """The payment's `round` for the worker and period: after the reversed ones; or, when the days
    paid so far plus these are within the HOK now recorded, a top-up after every payment of the
    period (kekurangan bayar once a day was added to a paid period). Any other second payment takes
    the round of the standing one and clashes with it (the worker is already paid)."""
    if worker.id is None:
        return 1
    payments = db.session.execute(
        db.select(Payment.days, PaymentReversal.id.label("reversal"))
        .outerjoin(PaymentReversal)
        .where(Payment.worker_id == worker.id, Payment.period_start == start)
    ).all()
    paid_days = sum(p.days for p in payments if p.reversal is None)
    if paid_days and paid_days + days <= hok:
        return 1 + len(payments)
    return 1 + sum(1 for p in payments if p.reversal is not None)
