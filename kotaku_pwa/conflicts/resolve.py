"""Resolving a conflict: keep the stored record, or let the incoming one replace what it clashed with."""

from .. import audit, db
from ..access import place_of, user_scope
from ..models import Ksm, RecordVersion, utcnow
from ..records.registry import KINDS
from ..safetext import text_problem
from ..scope import can_review
from ..sync.engine import build_again, keep_correction

OUTSIDE = {"catatan": "Data tersimpan ini berada di luar wilayah Anda; hanya admin yang dapat memutuskan."}

HIDDEN = {"id", "payload_hash", "received_at", "created_by_id"}


def existing_row(conflict):
    kind = KINDS.get(conflict.existing_kind)
    return db.session.get(kind.model, conflict.existing_id) if kind else None


def describe(row) -> dict:
    """The stored record's fields, as a supervisor reads them (NIK masked)."""
    from ..formatting import mask_nik, mask_phone

    if row is None:
        return {}
    values = {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in HIDDEN}
    if "nik" in values:
        values["nik"] = mask_nik(values["nik"])
    if values.get("phone"):
        values["phone"] = mask_phone(values["phone"])
    return values


def reviewable(row, user) -> bool:
    """May this user see and change the stored record (it may lie in another kota: same NIK)?"""
    owner = db.session.get(Ksm, row.ksm_id) if getattr(row, "ksm_id", None) else row.kelurahan
    return can_review(user_scope(user), place_of(owner))


def can_keep_incoming(conflict) -> bool:
    """Only a second record for the same real thing may replace it (not a reused uuid, and not a record
    held behind another kind, e.g. attendance waiting on its worker's registration); a held correction
    may become the thing's current version."""
    return (
        conflict.existing_uuid != conflict.uuid
        and conflict.existing_kind == conflict.kind
        and conflict.kind in KINDS
        and (KINDS[conflict.kind].can_keep_incoming or _is_correction(conflict))
    )


def _is_correction(conflict) -> bool:
    return conflict.replaces is not None and KINDS[conflict.kind].correctable


REASON_MAX = 300


def reason_problem(reason: str) -> str | None:
    """What is wrong with a supervisor's reason (it reaches the field and the audit trail), or None."""
    if len(reason) > REASON_MAX:
        return f"Alasan paling banyak {REASON_MAX} karakter."
    return text_problem(reason, multiline=True) if reason else None


def resolve(conflict, keep, user, reason=None):
    """Close the conflict keeping 'existing' or 'incoming' with the supervisor's reason (stored, told to
    the field, in the audit trail); returns an error message or None."""
    if conflict.status != "open":
        return "Konflik ini sudah diselesaikan."
    reason = (reason or "").strip()
    if reason_problem(reason):
        return reason_problem(reason)
    if keep == "incoming":
        if not can_keep_incoming(conflict):
            return "Untuk konflik ini hanya data yang tersimpan yang dapat dipertahankan."
        row = existing_row(conflict)
        if row is not None and not reviewable(row, user):
            return OUTSIDE["catatan"]
        problem = _keep_incoming(conflict, row, user) if row else "Data lama tidak ada."
        if problem:
            return problem
    elif keep != "existing":
        return "Pilih data yang dipertahankan."
    conflict.status = f"kept_{keep}"
    conflict.resolved_by_id = user.id
    conflict.resolved_at = utcnow()
    conflict.decision_reason = reason or None
    audit.log(
        f"conflict_kept_{keep}",
        conflict.kind,
        conflict.existing_id,
        conflict.kelurahan_id,
        user=user,
        ksm_id=_ksm_id(conflict),
        conflict_id=conflict.id,
        reason=(reason or "").strip()[:300],
        incoming_uuid=conflict.uuid,
    )
    return None


def _ksm_id(conflict):
    """The KSM a conflict's record names, when it names one that exists."""
    value = conflict.data.get("ksm_id") if isinstance(conflict.data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value if db.session.get(Ksm, value) else None
    return None


def _keep_incoming(conflict, existing, user):
    """The stored row takes the incoming record as its kind's own `build` makes it (one writer per kind).
    For a kind with versions, what it overwrites stays in the riwayat and the record kept is current."""
    if _is_correction(conflict):
        return keep_correction(conflict, existing, user)
    kind = KINDS[conflict.kind]
    incoming, problem = build_again(conflict, user)
    if problem:
        return problem
    before = _superseded(kind, existing, conflict, user) if kind.correctable else None
    problem = kind.keep_incoming(conflict, existing, incoming)
    if problem or before is None:
        return problem
    db.session.add(before)
    existing.version, existing.payload_hash = conflict.uuid, conflict.payload_hash
    existing.recorded_at, existing.received_at = conflict.recorded_at or utcnow(), utcnow()
    existing.created_by_id = conflict.created_by_id
    return None


def _superseded(kind, row, conflict, user):
    """The stored version of `row` as history, replaced by the conflict's record."""
    return RecordVersion(
        uuid=row.version,
        kind=kind.name,
        record_id=row.id,
        payload_hash=row.payload_hash,
        data=kind.snapshot(row),
        recorded_at=row.recorded_at,
        received_at=row.received_at,
        created_by_id=row.created_by_id,
        replaced_by=conflict.uuid,
        superseded_at=utcnow(),
        superseded_by_id=user.id,
    )
