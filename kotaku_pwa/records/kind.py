"""The contract of a record kind, and the lookups the records of one batch share.

Modelled on CTFd's `BaseChallenge` + `CHALLENGE_CLASSES`: every kind is an instance of a
`RecordKind` subclass, and `records/registry.py` lists the instances. The sync engine
(sync/engine.py) calls only the hooks declared here. No Flask or SQLAlchemy in this module.
"""

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

# Columns that say which version a row is and who sent it, not what the thing is.
VERSION_COLUMNS = {"id", "uuid", "version", "payload_hash", "recorded_at", "received_at", "created_by_id"}

UNKNOWN_KEY = "Kolom tidak dikenal untuk jenis data ini."


def known_fields(names: str) -> frozenset:
    """A kind's data keys, written as one space-separated string."""
    return frozenset(names.split())


class RecordKind:
    """One kind of record a phone sends: its table, who writes it, and how it is checked and built."""

    name: str = ""  # the `kind` of a sync record
    model: type = None  # its table
    writers: frozenset = frozenset()  # the roles that may write it (docs/sync-protocol.md)
    # The data keys it knows; any other key is refused (a 7 MB unknown key must never be stored, not
    # even in the conflict table). Keep in step with `build`.
    fields: frozenset = frozenset()
    clash_reason: str = ""  # why a second record of the same domain key waits for a supervisor
    after: tuple = ()  # names of kinds whose rows a batch must insert before this kind's rows
    can_keep_incoming = False  # may a supervisor keep the incoming side of a clash (keep_incoming)?
    # Corrections (docs/sync-protocol.md, "Corrections"): may a record carry `replaces`, and if not, why.
    correctable = False
    correction_refused = "Data jenis ini tidak dapat dikoreksi."

    def locate(self, r, batch):
        """The Ksm or Kelurahan the record belongs to (the scope check asks about it)."""
        raise NotImplementedError

    def unknown_keys(self, data: dict) -> dict:
        """{key: message} for each key of `data` the kind does not know (names cut short, at most five)."""
        unknown = [key for key in data if key not in self.fields]
        return {str(key)[:40]: UNKNOWN_KEY for key in unknown[:5]}

    def build(self, r, target, batch, recorded_on):
        """(new row, domain key or None) from the fields of `r` (a fields.Reader), or (None, None) with
        r.errors set; raises fields.Held to keep the record for review. The row is a fields.New and
        may carry `children`: New rows that belong to it (a meeting's attendees)."""
        raise NotImplementedError

    def existing_keys(self, batch):
        """{domain key: (uuid, id)} of stored rows this batch could clash with (kinds with a key)."""
        return {}

    def clash_message(self, batch, clash) -> str:
        """Why a record waits for review when `clash` = (uuid, row or id) already holds its key; a kind
        may say more, but only what the sending user may know."""
        return self.clash_reason

    def remember(self, row, batch):
        """Make a row stored earlier in the batch visible to the records after it."""

    def audit_detail(self, row) -> dict:
        """What the audit trail shows of a new row beside its kind, KSM and user (JSON values).
        Rows with the same detail, kind and KSM in one batch share one entry."""
        return {}

    def keep_incoming(self, conflict, existing, incoming):
        """A supervisor keeps the incoming side: update `existing` (the stored row) from `incoming`
        (the conflict's data built again by `build`); returns an Indonesian problem or None."""
        raise NotImplementedError(f"{self.name}: keeping the incoming record is not allowed")

    def owner(self, row, batch):
        """The Ksm or Kelurahan a stored row belongs to (a correction must be in scope on both sides)."""
        raise NotImplementedError(f"{self.name} cannot be corrected")

    def correction_problems(self, current, new) -> dict:
        """Field → Indonesian message when `new` may not replace `current` (e.g. another worker's day)."""
        return {}

    def hold_correction(self, current, new, batch):
        """Raise fields.Held when the correction must wait for a supervisor (a day already paid)."""

    def snapshot(self, row) -> dict:
        """The row's values as JSON, kept as history when a correction supersedes it."""
        return {
            c.key: as_json(getattr(row, c.key, None))
            for c in self.model.__table__.columns
            if c.key not in VERSION_COLUMNS
        }

    def correct(self, current, new) -> list:
        """Give the stored row `current` the values of `new` (built by `build`); returns the rows to
        insert with it (a meeting's new attendance list)."""
        for column in self.model.__table__.columns:
            if column.key not in VERSION_COLUMNS and column.key in vars(new):
                setattr(current, column.key, vars(new)[column.key])
        return []

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


class KsmRecordKind(RecordKind):
    """A kind whose records belong to one KSM, named by `ksm_id`."""

    def locate(self, r, batch):
        """The KSM a record belongs to; any whole number that names no KSM is "unknown"."""
        ksm = batch.ksm(r.integer("ksm_id"))
        if ksm is None and "ksm_id" in r.data and type(r.data["ksm_id"]) is int:
            r.errors["ksm_id"] = "KSM tidak dikenal."
        return ksm

    def owner(self, row, batch):
        """The KSM of a stored row."""
        return batch.ksm(row.ksm_id)


def as_json(value):
    """A column value as JSON: dates as ISO text, pictures as base64."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


@dataclass(kw_only=True)
class BatchLookups:
    """What the records of one batch share, loaded once per batch by the kind that owns each lookup.

    The engine's `Batch` adds what every kind may ask: `today`, `backdate_window`, `values(name)`
    (every data[name] in the batch), `ksm(id)`, and `seen(uuid)` (what is stored under a uuid).
    """

    # worker uuid -> Worker (or new row): named by the batch's records or registered in it (workers/worker.py)
    workers: dict | None = None
    # worker uuid -> open Conflict: registrations the batch's records name that wait for review
    held_registrations: dict | None = None
    # attendance rows stored earlier in this batch: a payment after them counts their HOK
    new_attendance: list = field(default_factory=list)
    # meeting uuid -> Meeting (or new row): named by the batch's health checks or recorded in it
    meetings: dict | None = None
    # kelurahan id -> Kelurahan named by the batch's meetings and health checks
    kelurahan: dict | None = None
    # years the DFAT programme runs: a water/sanitation survey falls in one (dfat/watsan_survey.py)
    dfat_years: frozenset | None = None
    # KSM id -> {period start: latest Verification (or new row)} of the batch's KSMs (payments/locks.py)
    decisions: dict | None = None
    # progress reports stored earlier in this batch: a later one compares its percent with them
    new_progress: list = field(default_factory=list)


def in_dependency_order(kinds) -> list:
    """The kinds ordered so that each comes after the kinds it names in `after`; otherwise as given."""
    by_name = {k.name: k for k in kinds}
    ordered, placed, visiting = [], set(), set()

    def place(kind):
        if kind.name in placed:
            return
        if kind.name in visiting:
            raise ValueError(f"record kinds depend on each other in a loop: {kind.name}")
        visiting.add(kind.name)
        for name in kind.after:
            if name not in by_name:
                raise ValueError(f"{kind.name} comes after an unknown kind: {name}")
            place(by_name[name])
        visiting.discard(kind.name)
        placed.add(kind.name)
        ordered.append(kind)

    for kind in kinds:
        place(kind)
    return ordered
