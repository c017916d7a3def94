"""When a record may no longer change a pay period silently: the one place that says so.

A period a supervisor has verified is locked: attendance for a day inside it (new or corrected) and
payments for it are kept as conflicts for the supervisor instead of being stored (docs/contracts.md
"Corrections"; docs/sync-protocol.md "Verification"). The state of a KSM pay period is its latest
verification (the highest id: the order the server received them); a later `returned` opens it again.

A day inside a period paid to a worker (a payment not reversed) is locked for that worker: a
correction of the day's attendance waits for a supervisor (`paid_reason`, asked by the attendance
kind's `hold_correction`).
"""

from sqlalchemy import String, bindparam, func
from sqlalchemy.orm import aliased

from .. import db
from ..database import as_json_list, one_of, per_dialect, rows
from ..formatting import rupiah, tanggal_pendek
from ..models import Ksm, Payment, PaymentReversal, Verification

# The phone says "menunggu keputusan supervisor" itself; this says what the supervisor can do.
LOCKED = (
    "Periode ini sudah diverifikasi supervisor: perubahan baru berlaku bila supervisor "
    "mengembalikan periode ini."
)


def latest(decisions) -> dict:
    """{(ksm_id, period_start): decision} keeping the decision with the highest id of each period."""
    state = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        state[(decision.ksm_id, decision.period_start)] = decision
    return state


def period_states(ksm_ids) -> dict:
    """{(ksm_id, period_start): latest decision} of the KSMs (one query): each decision a row of the
    Verification columns pages and the sync engine read (DECISION_COLUMNS), not an object: every home
    page asks, and the KSM's decisions build up period after period (issue 14)."""
    ids = [i for i in ksm_ids if isinstance(i, int)]
    if not ids:
        return {}
    return latest(rows(_decisions_of(), {"ksm_ids": as_json_list(ids)}))


DECISION_COLUMNS = ("id", "uuid", "ksm_id", "period_start", "period_end", "decision", "reason")


@per_dialect
def _decisions_of():
    """period_states' query, the KSM ids bound at execution."""
    ids = bindparam("ksm_ids", type_=String)
    columns = Verification.__table__.c
    return db.select(*(columns[name] for name in DECISION_COLUMNS)).where(one_of(columns.ksm_id, ids))


def period_counts(kelurahan_ids) -> dict:
    """{kelurahan_id: {"verified": n, "returned": n}}: the KSM pay periods of each kelurahan counted by
    their latest decision (export.csv's verified_periods and returned_periods), in one query."""
    latest_ids = db.select(func.max(Verification.id)).group_by(Verification.ksm_id, Verification.period_start)
    rows = db.session.execute(
        db.select(Ksm.kelurahan_id, Verification.decision, func.count(Verification.id))
        .join(Ksm, Verification.ksm_id == Ksm.id)
        .where(Verification.id.in_(latest_ids), one_of(Ksm.kelurahan_id, kelurahan_ids))
        .group_by(Ksm.kelurahan_id, Verification.decision)
    )
    counts = {}
    for kelurahan_id, decision, count in rows:
        counts.setdefault(kelurahan_id, {"verified": 0, "returned": 0})[decision] = count
    return counts


def returned_periods(ksm_ids) -> dict:
    """{ksm_id: [decision, ...]} of the periods whose latest decision is `returned`, oldest first."""
    found = {}
    for (ksm_id, _start), decision in sorted(period_states(ksm_ids).items(), key=lambda i: i[0][1]):
        if decision.decision == "returned":
            found.setdefault(ksm_id, []).append(decision)
    return found


def state_on(ksm_id, day):
    """The latest decision on the KSM period holding `day`, or None."""
    return db.session.scalar(
        db.select(Verification).where(Verification.id == latest_decision_id(ksm_id, day))
    )


def latest_decision_id(ksm_id, day):
    """SQL: the id of the latest decision on the period of KSM `ksm_id` (a value or a column) holding
    `day`; NULL when none. A page joins it to the statement that loads the KSM (access.get_ksm)."""
    v = _DECISION  # a name of its own: the outer statement may read verification too
    return (
        db.select(func.max(v.id))
        .where(v.ksm_id == ksm_id, v.period_start <= day, v.period_end >= day)
        .scalar_subquery()
    )


_DECISION = aliased(Verification, name="decision")


def _batch_decisions(batch, ksm_id):
    """The latest decision per period of a KSM, loaded once per batch for every KSM it names."""
    if batch.decisions is None:
        ids = {i for i in batch.values("ksm_id") if isinstance(i, int) and not isinstance(i, bool)}
        batch.decisions = {i: {} for i in ids | {ksm_id}}
        for (owner, start), decision in period_states(ids | {ksm_id}).items():
            batch.decisions.setdefault(owner, {})[start] = decision
    if ksm_id not in batch.decisions:
        batch.decisions[ksm_id] = {start: d for (_owner, start), d in period_states([ksm_id]).items()}
    return batch.decisions[ksm_id]


def remember_decision(batch, row):
    """A decision stored earlier in the batch applies to the records after it."""
    _batch_decisions(batch, row.ksm_id)[row.period_start] = row


def locked_reason(batch, ksm_id, first, last=None):
    """(existing, reason) for fields.Held when a verified period of the KSM overlaps first..last;
    else None. `existing` is ("verification", uuid, id or new row) of the decision that locks it."""
    last = last or first
    for decision in _batch_decisions(batch, ksm_id).values():
        if decision.decision == "verified" and decision.period_start <= last and decision.period_end >= first:
            target = decision.id if decision.id is not None else decision
            return ("verification", decision.uuid, target), LOCKED
    return None


def paid_reason(worker_id, day) -> str | None:
    """Why a correction of this worker's attendance on `day` must wait for a supervisor: the day lies
    in a period paid to the worker (a payment not reversed); None when it does not."""
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
    if paid is None:
        return None
    return (
        f"Hari ini termasuk periode yang sudah dibayar ({rupiah(paid.amount)}, "
        f"dibayar {tanggal_pendek(paid.paid_on)}); koreksi kehadiran harus disetujui supervisor."
    )
