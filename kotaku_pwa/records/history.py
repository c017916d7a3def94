"""The history ("riwayat") of a corrected record: its superseded versions, oldest first, then the
current one (docs/sync-protocol.md, "How versions are stored"). For the record pages."""

from dataclasses import dataclass
from datetime import datetime

from .. import db
from ..models import RecordVersion, User


@dataclass
class Version:
    uuid: str
    data: dict  # the values as they were (kind.snapshot)
    made_by: User | None
    recorded_at: datetime | None  # on the phone
    received_at: datetime | None  # by the server
    current: bool
    changed: list  # (field, before, after) against the version before it; [] for the first


def history(kind, row) -> list[Version]:
    """Every version of the thing stored as `row` (a stored row of `kind`), oldest first."""
    old = db.session.scalars(
        db.select(RecordVersion)
        .where(RecordVersion.kind == kind.name, RecordVersion.record_id == row.id)
        .order_by(RecordVersion.id)
    ).all()
    found = [(v.uuid, v.data, v.created_by, v.recorded_at, v.received_at, False) for v in old]
    made_by = db.session.get(User, row.created_by_id)
    found.append((row.version, kind.snapshot(row), made_by, row.recorded_at, row.received_at, True))
    versions, before = [], None
    for uuid, data, user, recorded_at, received_at, current in found:
        versions.append(Version(uuid, data, user, recorded_at, received_at, current, changes(before, data)))
        before = data
    return versions


def changes(before: dict | None, after: dict) -> list[tuple]:
    """(field, before, after) for each value a version changed; [] for a first version."""
    if before is None:
        return []
    return [(k, before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)]
