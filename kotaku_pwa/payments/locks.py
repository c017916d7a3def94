"""Which worker-days are protected: a correction of them waits for a supervisor (SPEC.md "Corrections").

One function, `locked_reason`, answers for every protection: a day inside a period paid to the worker
(a payment not reversed) — and, once the verification kind lands, a KSM period a supervisor verified.
"""

from .. import db
from ..formatting import rupiah, tanggal_pendek
from ..models import Payment, PaymentReversal


def locked_reason(ksm_id, worker_id, day) -> str | None:
    """Why an attendance correction of this worker and day must wait for a supervisor, or None."""
    paid = db.session.scalars(
        db.select(Payment)
        .outerjoin(PaymentReversal)
        .where(
            Payment.worker_id == worker_id,
            Payment.period_start <= day,
            Payment.period_end >= day,
            PaymentReversal.id.is_(None),
        )
        .order_by(Payment.round)
    ).first()
    if paid is not None:
        return (
            f"Hari ini termasuk periode yang sudah dibayar ({rupiah(paid.amount)}, "
            f"dibayar {tanggal_pendek(paid.paid_on)}); koreksi kehadiran harus disetujui supervisor."
        )
    return None
