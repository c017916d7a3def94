"""Storing the records phones send, exactly once (docs/sync-protocol.md).

Every record kind is written here and only here: the outbox of every HTML form and the sync API
both end in `store_batch`. For each record, in the order sent:

1. its uuid already stored with the same kind and data → `duplicate` (a resend after a lost reply);
2. the user's role may not write the kind, or the place is outside their scope → `forbidden`;
3. a field is missing, of the wrong type, breaks a programme rule or names an unknown id → `invalid`;
4. the uuid was used for other data, or the record is a second one for the same real thing
   (worker + day, NIK + season...) → `conflict`, kept in the conflict table for a supervisor;
5. otherwise → `created`.

A record carrying `replaces` is a correction (docs/sync-protocol.md, `_correct`): the thing's row keeps
its first uuid as identity and is updated in place, the superseded version goes to `RecordVersion`.

A batch is one transaction (on SQLite BEGIN IMMEDIATE, see database.py). What each record needs to
look up is loaded for the whole batch in a few queries (`Batch`). The unique constraints have the
last word: when a concurrent writer wins a race (a unique constraint; on PostgreSQL also a deadlock)
the batch is replayed record by record, and the replay sees that writer's row.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import groupby
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from .. import audit, db
from ..access import place_of, user_scope
from ..database import as_json_list, listed, one_of, per_dialect
from ..models import AuditLog, Conflict, Kelurahan, Ksm, RecordVersion, User, utcnow
from ..programme_period import programme_start
from ..records.fields import Held, New, Reader, is_uuid
from ..records.kind import BatchLookups
from ..records.registry import INSERT_ORDER, KINDS
from ..safetext import first_hostile
from ..scope import can_read, can_write
from ..workdays import today

REUSED_UUID = "UUID ini sudah dipakai untuk data lain."
STALE = "Data ini sudah diubah orang lain sejak versi yang Anda koreksi."
UNKNOWN_VERSION = "Versi yang dikoreksi tidak dikenal."
CHANGED_SINCE = (
    "Data ini sudah dikoreksi lagi sejak konflik ini dicatat; pertahankan data tersimpan "
    "lalu minta koreksi baru."
)
# recorded_at is the phone's clock: trusted within a few minutes of the server's, and never before
# the programme began (ages and back-dating are judged on it).
CLOCK_SKEW = timedelta(minutes=10)
# Kept conflicts are work for a supervisor: a phone (or an attacker) resending one uuid with other
# data, or a flood of clashes, must not bury the real ones.
CONFLICTS_PER_UUID = 3
CONFLICTS_PER_USER_PER_DAY = 200


@dataclass
class Result:
    """One record's answer; ids are read after the batch is flushed."""

    uuid: str | None
    status: str
    row: object = None
    errors: dict | None = None
    existing: tuple | None = None  # (kind, uuid, row or id)
    conflict: object = None  # the Conflict row (or new row) a conflict is kept in
    existing_hidden: bool = False  # the stored record is outside the user's scope: name only its kind

    def as_json(self):
        body = {"uuid": self.uuid, "status": self.status}
        if self.row is not None:
            body["id"] = self.row.id
        if self.errors:
            body["errors"] = self.errors
        if self.existing:
            kind, uuid, target = self.existing
            body["existing"] = {"kind": kind, "uuid": uuid, "id": getattr(target, "id", target)}
            if self.existing_hidden:
                body["existing"] = {"kind": kind}
        if self.conflict is not None:
            body["conflict_id"] = self.conflict.id
        return body


@dataclass
class Seen:
    stored: tuple | None = None  # (kind, row or id, payload hash) of the record stored under the uuid
    conflicts: dict = field(default_factory=dict)  # payload hash -> conflict kept under the uuid
    superseded: bool = False  # a version a correction replaced (kept in RecordVersion)


@dataclass
class Batch(BatchLookups):
    """The user, the day, and lookups shared by the records of one batch (records/kind.py)."""

    user: object
    records: list
    today: date
    backdate_window: int | None
    scope: object = None
    ksms: dict = field(default_factory=dict)
    _seen: dict | None = None  # uuid -> Seen
    _keys: dict = field(default_factory=dict)  # kind -> {domain key: (uuid, row or id)}
    pending: list = field(default_factory=list)
    created: list = field(default_factory=list)  # (kind name, place, row) for the audit trail
    _places: dict = field(default_factory=dict)  # new rows and conflicts, inserted together
    conflicts_before: int | None = None  # conflicts the user's records made in the 24 hours before
    new_conflicts: int = 0  # conflicts this batch keeps
    _values: dict = field(default_factory=dict)  # data field name -> its values across the batch
    _clocks: dict = field(default_factory=dict)  # recorded_at text -> what `clock` made of it

    def __post_init__(self):
        self.scope = user_scope(self.user)

    def values(self, name) -> frozenset:
        """Every value of data[name] across the batch (for loading lookups in one query); gathered
        once per name, as several kinds ask for the same one."""
        if name not in self._values:
            found = set()
            for record in self.records:
                data = record.get("data") if isinstance(record, dict) else None
                if isinstance(data, dict) and isinstance(data.get(name), (str, int)):
                    found.add(data[name])
            self._values[name] = frozenset(found)
        return self._values[name]

    def clock(self, value):
        """(moment, recorded_at, error) of a record's `recorded_at` (see `_clock`). A phone saving a
        day's attendance gives its records one reading: each distinct text is read once per batch."""
        if not isinstance(value, str):
            return _clock(value)
        if value not in self._clocks:
            self._clocks[value] = _clock(value)
        return self._clocks[value]

    def ksm(self, ksm_id):
        if not _an_id(ksm_id):
            return None
        if not self.ksms:
            ids = {i for i in self.values("ksm_id") if _an_id(i)} | {ksm_id}
            rows = db.session.scalars(db.select(Ksm).where(Ksm.id.in_(ids)))
            self.ksms = {k.id: k for k in rows}
        if ksm_id not in self.ksms:
            self.ksms[ksm_id] = db.session.get(Ksm, ksm_id)
        return self.ksms[ksm_id]

    def place(self, target):
        """Where a KSM or kelurahan belongs (asked once per target and batch)."""
        key = (type(target).__name__, target.id)
        if key not in self._places:
            self._places[key] = place_of(target)
        return self._places[key]

    def seen(self, uuid) -> "Seen":
        """What is already stored under this uuid: a record, conflicts kept for review, or nothing."""
        if self._seen is None:
            self._load_seen()
        if uuid not in self._seen:  # (setdefault would make a Seen for every call)
            self._seen[uuid] = Seen()
        return self._seen[uuid]

    def _load_seen(self):
        """What is stored under every uuid the batch names (as its own or in `replaces`): records of
        every kind and superseded versions in one query, then the conflicts kept for review."""
        uuids = {
            r[name].lower()
            for r in self.records
            for name in ("uuid", "replaces")
            if isinstance(r, dict) and is_uuid(r.get(name))
        }
        self._seen = {}
        # Applied part by part (the kinds in KINDS order, then the superseded versions): a uuid found
        # twice keeps the last, a superseded version over the record that replaced it.
        for row in sorted(_stored_under(uuids), key=lambda row: row.part):
            seen = self.seen(row.uuid)
            seen.stored = (row.kind, row.id, row.payload_hash)
            seen.superseded = seen.superseded or row.part == len(KINDS)
        for conflict in db.session.scalars(db.select(Conflict).where(one_of(Conflict.uuid, uuids))):
            self.seen(conflict.uuid).conflicts[conflict.payload_hash] = conflict

    def claimed(self, kind_name, key):
        """The stored record (uuid, row or id) that already holds this domain key, if any."""
        if key is None:
            return None
        if kind_name not in self._keys:
            self._keys[kind_name] = KINDS[kind_name].existing_keys(self)
        return self._keys[kind_name].get(key)

    def forget_keys(self, kind_name, row):
        """A corrected thing may hold another domain key now: drop the keys that named it."""
        keys = self._keys.get(kind_name, {})
        for key in [k for k, (_, held) in keys.items() if held is row or held == row.id]:
            del keys[key]

    def remember(self, kind_name, uuid, row, digest, key):
        self.seen(uuid).stored = (kind_name, row, digest)
        if key is not None:
            self.claimed(kind_name, key)
            self._keys[kind_name][key] = (uuid, row)
        KINDS[kind_name].remember(row, self)


def _stored_under(uuids):
    """The rows stored under these uuids: (part, kind, uuid, id, payload_hash), `part` the position
    of the kind in KINDS, or len(KINDS) for a version a correction superseded (RecordVersion)."""
    return db.session.execute(_stored_under_query(), {"uuids": as_json_list(uuids)})


@per_dialect
def _stored_under_query():
    """One query (UNION ALL: one round trip rather than one per table) for _stored_under, the uuids
    bound at execution."""
    # Every uuid column is the same String(36).
    wanted = listed(db.bindparam("uuids", type_=db.String), RecordVersion.uuid.type)
    parts = []
    for position, (kind_name, kind) in enumerate(KINDS.items()):
        # A corrected thing is found by its current version; its first uuid, no longer current, is
        # found in RecordVersion.
        column = kind.model.version if kind.correctable else kind.model.uuid
        parts.append(
            db.select(
                db.literal(position).label("part"),
                db.literal(kind_name).label("kind"),
                column.label("uuid"),
                kind.model.id.label("id"),
                kind.model.payload_hash.label("payload_hash"),
            ).where(column.in_(wanted))
        )
    parts.append(
        db.select(
            db.literal(len(KINDS)),
            RecordVersion.kind,
            RecordVersion.uuid,
            RecordVersion.record_id,
            RecordVersion.payload_hash,
        ).where(RecordVersion.uuid.in_(wanted))
    )
    return db.union_all(*parts)


def _an_id(value) -> bool:
    """An integer that can be a row id (beyond 32 bits a query would fail, not miss)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


# The canonical JSON of a record, made once: json.dumps with these options would build the same
# encoder again for every record. Its output must never change (stored hashes are compared with it).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(kind, data) -> str:
    """What "identical" compares: the kind and the data, not when the phone made it."""
    canonical = _CANONICAL.encode({"kind": kind, "data": data})
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_batch(records, user) -> list[dict]:
    """Apply the records in order in one transaction; return one result per record."""
    for attempt in range(3):
        batch = _new_batch(records, user)
        try:
            _lock_ksms(batch)
            if attempt == 0:
                results = [_store(record, batch) for record in records]
                _insert_pending(batch)
            else:
                results = [_store_alone(record, batch) for record in records]
            answers = [r.as_json() for r in results]  # ids are known after the flush; read them before commit
            # The dashboard's "last sync per facilitator" (`user` may be the request's SignedIn).
            db.session.execute(db.update(User).where(User.id == user.id).values(last_sync_at=utcnow()))
            db.session.commit()
            return answers
        except (IntegrityError, OperationalError) as error:
            if not _lost_a_race(error):
                raise
            db.session.rollback()  # a concurrent writer won a race: replay and see its row
    raise RuntimeError("sync batch kept clashing with concurrent writers")


# PostgreSQL's deadlock_detected and serialization_failure: the transaction lost to a concurrent one
# and is to be run again.
RACES = {"40P01", "40001"}


def _lock_ksms(batch):
    """On PostgreSQL, first lock the rows of the KSMs the batch names, in id order: batches of one KSM
    then take turns. Otherwise two of them update the dashboard's counters of that KSM (hok_daily,
    paid_period, one row per day or period) in their records' orders and deadlock (the chaos bench saw
    25 a run). SQLite writers already take turns (database.py)."""
    ids = sorted(i for i in batch.values("ksm_id") if _an_id(i))
    if ids and db.engine.dialect.name == "postgresql":
        query = db.select(Ksm.id).where(Ksm.id.in_(ids)).order_by(Ksm.id).with_for_update(key_share=True)
        db.session.execute(query).all()


def _lost_a_race(error) -> bool:
    return isinstance(error, IntegrityError) or getattr(error.orig, "sqlstate", None) in RACES


def _new_batch(records, user):
    config = current_app.config
    return Batch(
        user=user,
        records=records,
        today=today(config["TIMEZONE"]),
        backdate_window=config["BACKDATE_WINDOW_DAYS"],
    )


def _store_alone(record, batch):
    """Store one record in its own savepoint, seeing what concurrent writers committed."""
    with db.session.begin_nested():
        result = _store(record, batch)
        _insert_pending(batch)
    return result


def _insert_pending(batch):
    """Insert the batch's new rows with one multi-row INSERT per table: records in INSERT_ORDER (a
    worker before the attendance naming it), then their child rows (a meeting's attendees), then
    conflicts. The new ids of records are set on their row objects."""
    records = [kind.model for kind in INSERT_ORDER]
    children = [m for m in dict.fromkeys(r.model for r in batch.pending) if m not in records + [Conflict]]
    # The inserts below are plain Core statements, which do not flush the session as the ORM's do:
    # rows changed through it (a corrected record) are written first, as before.
    db.session.flush()
    for model in records + children + [Conflict]:
        rows = [row for row in batch.pending if row.model is model]
        if rows:
            _insert_rows(model, rows, set_ids=model not in children)
    batch.pending.clear()
    _audit_created(batch)


def _insert_rows(model, rows, set_ids):
    """Insert new rows of one table with the table's Core INSERT: the ORM's bulk insert of the model
    wrote the same statement, with bookkeeping per row that cost a third of a sync batch's time."""
    for row in rows:
        _link(row)
    table = model.__table__
    ids = {}
    for params in _values_by_shape(model, rows):
        if not set_ids:
            db.session.execute(table.insert(), params)
            continue
        # RETURNING in no particular order (ordering would cost a statement per row on SQLite):
        # each new id is matched back by the row's unique (uuid, payload hash).
        new_ids = db.session.execute(
            table.insert().returning(table.c.id, table.c.uuid, table.c.payload_hash), params
        )
        ids.update({(uuid, digest): new_id for new_id, uuid, digest in new_ids})
    if set_ids:
        for row in rows:
            row.id = ids[(row.uuid, row.payload_hash)]


def _values_by_shape(model, rows) -> list:
    """The rows' values to insert, in runs of consecutive rows that set the same columns (one INSERT
    each). As in the ORM's bulk insert: a None is left out, so that the column's default applies (a
    worker is active), except in a JSON column, which stores None as JSON null. Only consecutive rows
    share a run: the ids must follow the order the records came in (the latest verification of a
    period is the one with the highest id)."""
    columns, _links, keeps_none = _shape(model)
    params = [
        {c: values.get(c) for c in columns if c in keeps_none or values.get(c) is not None}
        for values in map(vars, rows)
    ]
    return [list(run) for _, run in groupby(params, key=tuple)]


AUDIT_IDS = 50  # ids kept in one audit entry; the count says how many there were
# Rows whose audit details read the same share an entry (made once: see _CANONICAL).
_AUDIT_KEY = json.JSONEncoder(sort_keys=True, default=str)


def _audit_created(batch):
    """One audit entry per kind and KSM (or kelurahan) of the records the batch created, in one
    multi-row INSERT: an attendance day of 90 workers is one line of the trail, not 90."""
    groups = {}
    for kind_name, place, row in batch.created:
        detail = KINDS[kind_name].audit_detail(row)
        key = (kind_name, place.kelurahan_id, place.ksm_id, _AUDIT_KEY.encode(detail))
        groups.setdefault(key, (detail, []))[1].append(row.id)
    batch.created.clear()
    if not groups:
        return
    now = utcnow()
    db.session.execute(
        AuditLog.__table__.insert(),
        [
            {
                "at": now,
                "user_id": batch.user.id,
                "action": "created",
                "object_kind": kind_name,
                "object_id": ids[0],
                "kelurahan_id": kelurahan_id,
                "ksm_id": ksm_id,
                "detail": {**detail, "count": len(ids), "ids": ids[:AUDIT_IDS]},
            }
            for (kind_name, kelurahan_id, ksm_id, _), (detail, ids) in groups.items()
        ],
    )


_SHAPES = {}


def _shape(model):
    """A table's insert columns, its many-to-one links (relation, local key, remote key), and the
    columns whose None is a value (JSON null) rather than "use the default"."""
    if model not in _SHAPES:
        links = [
            (rel.key, local.key, remote.key)
            for rel in model.__mapper__.relationships
            if rel.direction.name == "MANYTOONE"
            for local, remote in rel.local_remote_pairs
        ]
        if model is Conflict:
            links.append(("existing_target", "existing_id", "id"))
        columns = [c for c in model.__table__.columns if c.key != "id"]
        keeps_none = {c.key for c in columns if c.type.should_evaluate_none}
        _SHAPES[model] = ([c.key for c in columns], links, keeps_none)
    return _SHAPES[model]


def _store(record, batch) -> Result:
    if not isinstance(record, dict):
        return Result(None, "invalid", errors={"record": "Setiap data harus berupa objek JSON."})
    uuid, kind_name, data = record.get("uuid"), record.get("kind"), record.get("data")
    if not is_uuid(uuid):
        return Result(
            uuid if isinstance(uuid, str) else None,
            "invalid",
            errors={"uuid": "UUID tidak ada atau tidak valid."},
        )
    uuid = uuid.lower()
    if not isinstance(kind_name, str) or kind_name not in KINDS:
        return Result(uuid, "invalid", errors={"kind": "Jenis data tidak dikenal."})
    if not isinstance(data, dict):
        return Result(uuid, "invalid", errors={"data": "Isi data harus berupa objek JSON."})
    moment, recorded_at, problem = batch.clock(record.get("recorded_at"))
    if problem:
        return Result(uuid, "invalid", errors={"recorded_at": problem})
    try:
        digest = payload_hash(kind_name, data)
    except UnicodeEncodeError:  # a lone surrogate: valid JSON, but not text the database can keep
        return Result(uuid, "invalid", errors={"data": "Teks berisi karakter yang tidak valid."})

    seen = batch.seen(uuid)
    if seen.stored and seen.stored[0] == kind_name and seen.stored[2] == digest:
        return Result(uuid, "duplicate", row=_as_row(seen.stored[1]))
    if digest in seen.conflicts:
        return _conflict_again(batch, uuid, seen.conflicts[digest])

    kind = KINDS[kind_name]
    if batch.user.role not in kind.writers:
        return Result(uuid, "forbidden", errors={"kind": "Peran Anda tidak boleh mencatat data ini."})
    replaces = record.get("replaces")
    if replaces is not None:
        if not kind.correctable:
            return Result(uuid, "invalid", errors={"replaces": kind.correction_refused})
        if not is_uuid(replaces):
            return Result(uuid, "invalid", errors={"replaces": "Harus berupa UUID."})
        replaces = replaces.lower()
    problems = kind.unknown_keys(data) or _hostile_text(data)
    if problems:
        return Result(uuid, "invalid", errors=problems)
    reader = Reader(data)
    target = kind.locate(reader, batch)
    if reader.errors:
        return Result(uuid, "invalid", errors=reader.errors)
    place = batch.place(target)
    if not can_write(batch.scope, kind.writers, place):
        return Result(uuid, "forbidden", errors={"data": "Di luar wilayah tugas Anda."})
    keep_for_review = partial(
        _keep_conflict, batch, uuid, kind_name, data, digest, recorded_at, place, replaces=replaces
    )
    # Rules "on the day the record was made" use the phone's own day, never after today.
    recorded_on = min(moment.date(), batch.today) if moment else batch.today
    try:
        row, key = kind.build(reader, target, batch, recorded_on)
    except Held as held:
        return keep_for_review(held.existing, held.reason)
    if reader.errors:
        return Result(uuid, "invalid", errors=reader.errors)

    if seen.stored:  # the uuid names other data: never overwrite, keep this one for review
        return keep_for_review((seen.stored[0], uuid, seen.stored[1]), REUSED_UUID)
    if seen.conflicts:
        first = next(iter(seen.conflicts.values()))
        return keep_for_review((first.existing_kind, first.existing_uuid, first.existing_id), REUSED_UUID)
    if replaces:
        return _correct(batch, kind, row, key, replaces, (uuid, digest, recorded_at), keep_for_review)
    clash = batch.claimed(kind_name, key)
    if clash:
        return _told(keep_for_review((kind_name, clash[0], clash[1]), kind.clash_reason), kind, batch, clash)

    if kind.correctable:
        row.version = uuid
    now = utcnow()
    row.uuid, row.payload_hash, row.recorded_at = uuid, digest, recorded_at or now
    row.created_by_id, row.received_at = batch.user.id, now
    batch.pending.append(row)
    batch.pending.extend(row.children)  # rows that belong to it (a meeting's attendees)
    batch.remember(kind_name, uuid, row, digest, key)
    batch.created.append((kind_name, place, row))
    return Result(uuid, "created", row=row)


def _correct(batch, kind, new, key, replaces, version, keep_for_review) -> Result:
    """A record carrying `replaces` (docs/sync-protocol.md): applied when it names the thing's current
    version; `version` is the incoming (uuid, payload hash, recorded_at)."""
    uuid = version[0]
    old = batch.seen(replaces)
    if old.stored is None or old.stored[0] != kind.name:
        return Result(uuid, "invalid", errors={"replaces": UNKNOWN_VERSION})
    current = _row_of(kind, old.stored[1])
    if not can_write(batch.scope, kind.writers, batch.place(kind.owner(current, batch))):
        return Result(uuid, "forbidden", errors={"data": "Di luar wilayah tugas Anda."})
    here = (kind.name, current.version, current)
    if old.superseded or current.version != replaces:
        return keep_for_review(here, STALE)
    problems = kind.correction_problems(current, new)
    if problems:
        return Result(uuid, "invalid", errors=problems)
    clash = batch.claimed(kind.name, key)
    if clash and _row_of(kind, clash[1]) is not current:
        return keep_for_review((kind.name, clash[0], clash[1]), kind.clash_reason)
    try:
        kind.hold_correction(current, new, batch)
    except Held as held:
        return keep_for_review(held.existing, held.reason)
    if current.id is None or any(r.id is None for r in _linked(new)):
        _insert_pending(batch)  # a thing made earlier in this batch: insert it, then correct it
    batch.pending.extend(apply_correction(kind, current, new, version, batch.user.id, batch.user.id))
    place = batch.place(kind.owner(current, batch))
    audit.log(
        "corrected",
        kind.name,
        current.id,
        place.kelurahan_id,
        user=batch.user,
        ksm_id=place.ksm_id,
        version=uuid,
        replaces=replaces,
    )
    old.superseded = True
    batch.seen(uuid).stored = (kind.name, current, version[1])
    batch.forget_keys(kind.name, current)
    if key is not None:
        batch.claimed(kind.name, key)
        batch._keys[kind.name][key] = (uuid, current)
    return Result(uuid, "created", row=current)


def apply_correction(kind, current, new, version, created_by_id, user_id) -> list:
    """Make `new` the current version of the thing stored as `current` (a row, or a row inserted
    earlier in this batch); returns the rows still to insert: the superseded version, kept as
    history, and what the kind's `correct` adds (a meeting's attendance list)."""
    uuid, digest, recorded_at = version
    history = New(
        RecordVersion,
        uuid=current.version,
        kind=kind.name,
        record_id=current.id,
        payload_hash=current.payload_hash,
        data=kind.snapshot(current),
        recorded_at=current.recorded_at,
        received_at=current.received_at,
        created_by_id=current.created_by_id,
        replaced_by=uuid,
        superseded_at=utcnow(),
        superseded_by_id=user_id,
    )
    _link(new)
    stored = db.session.get(kind.model, current.id)
    extra = kind.correct(stored, new)
    if current is not stored:  # a row of this batch: later records read its plain copy
        kind.correct(current, new)
    for target in {id(stored): stored, id(current): current}.values():
        target.version, target.payload_hash = uuid, digest
        target.recorded_at, target.received_at = recorded_at or utcnow(), utcnow()
        target.created_by_id = created_by_id
    return [history, *extra]


def _row_of(kind, target):
    """The stored row (or this batch's new row) a seen uuid names."""
    return db.session.get(kind.model, target) if isinstance(target, int) else target


def _linked(row):
    """The new rows of this batch a new row points to (a health check's meeting)."""
    values = vars(row)
    return [values[rel] for rel, local, _ in _shape(row.model)[1] if values.get(rel) is not None]


def _link(row):
    """Fill a new row's foreign keys from the rows it points to (once those are inserted)."""
    values = vars(row)
    for relation, local, remote in _shape(row.model)[1]:
        if values.get(local) is None and values.get(relation) is not None:
            setattr(row, local, getattr(values[relation], remote))


def build_again(conflict, user):
    """The row a conflict's data builds now, through its kind's own `locate` and `build` (so a kept
    incoming record is cleaned exactly as when it arrived): (row, None) or (None, a message)."""
    kind = KINDS[conflict.kind]
    batch = _new_batch([{"uuid": conflict.uuid, "kind": conflict.kind, "data": conflict.data}], user)
    reader = Reader(conflict.data)
    target = kind.locate(reader, batch)
    row = None
    if not reader.errors:
        try:
            row, _ = kind.build(reader, target, batch, _recorded_on(conflict, batch))
        except Held as held:
            return None, held.reason
    if reader.errors:
        problems = "; ".join(f"{name}: {message}" for name, message in reader.errors.items())
        return None, f"Data yang masuk tidak lagi memenuhi aturan ({problems})."
    return row, None


def keep_correction(conflict, existing, user):
    """A supervisor keeps a held correction: built again by its kind, it becomes the current version
    of `existing` (the thing it corrects); returns an Indonesian problem or None."""
    kind = KINDS[conflict.kind]
    new, problem = build_again(conflict, user)
    if problem:
        return problem
    if not _corrects(conflict, existing):
        return "Koreksi ini bentrok dengan data lain; hanya data yang tersimpan yang dapat dipertahankan."
    if existing.version != conflict.existing_uuid:
        return CHANGED_SINCE
    problems = kind.correction_problems(existing, new)
    if problems:
        return " ".join(problems.values())
    version = (conflict.uuid, conflict.payload_hash, conflict.recorded_at)
    rows = apply_correction(kind, existing, new, version, conflict.created_by_id, user.id)
    _insert_pending(SimpleNamespace(pending=rows, created=[]))  # the decision is audited by resolve()
    return None


def _corrects(conflict, existing) -> bool:
    """Does the held correction name a version of `existing` (not another thing it clashed with)?"""
    if existing.version == conflict.replaces:
        return True
    return (
        db.session.scalar(
            db.select(RecordVersion.id).where(
                RecordVersion.uuid == conflict.replaces,
                RecordVersion.kind == conflict.kind,
                RecordVersion.record_id == existing.id,
            )
        )
        is not None
    )


def _recorded_on(conflict, batch):
    """The day the rules of `build` applied when the conflict arrived: the phone's, never after receipt."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    received = (
        conflict.received_at.replace(tzinfo=UTC).astimezone(zone).date() if conflict.received_at else None
    )
    recorded = (
        conflict.recorded_at.replace(tzinfo=UTC).astimezone(zone).date() if conflict.recorded_at else None
    )
    days = [d for d in (recorded, received) if d is not None]
    return min(days) if days else batch.today


def _keep_conflict(batch, uuid, kind_name, data, digest, recorded_at, place, existing, reason, replaces=None):
    message = {"record": f"Bentrok: {reason} Menunggu keputusan supervisor."}
    if len(batch.seen(uuid).conflicts) >= CONFLICTS_PER_UUID or _conflicts_today(batch) >= _daily_cap():
        # The same answer as a kept conflict (the phone stops resending), but nothing more is stored.
        return _conflict_result(batch, uuid, existing, message)
    conflict = New(
        Conflict,
        uuid=uuid,
        kind=kind_name,
        data=data,
        payload_hash=digest,
        recorded_at=recorded_at,
        created_by_id=batch.user.id,
        kelurahan_id=place.kelurahan_id,
        reason=reason,
        existing_kind=existing[0],
        existing_uuid=existing[1],
        existing_id=existing[2] if isinstance(existing[2], int) else None,
        replaces=replaces,
        status="open",
        received_at=utcnow(),
    )
    if not isinstance(existing[2], int):
        conflict.existing_target = existing[2]  # a row of this batch: its id is known once inserted
    batch.pending.append(conflict)
    batch.seen(uuid).conflicts[digest] = conflict
    batch.new_conflicts += 1
    return _conflict_result(batch, uuid, existing, message, conflict)


def _conflict_result(batch, uuid, existing, errors, conflict=None):
    """A `conflict` answer; a stored record the user may not see is named by its kind only."""
    return Result(
        uuid,
        "conflict",
        existing=existing,
        errors=errors,
        existing_hidden=not _visible(batch, existing),
        conflict=conflict,
    )


def _visible(batch, existing) -> bool:
    """May the user know of the stored record this one clashes with (its uuid and id)?"""
    kind_name, _uuid, target = existing
    if not isinstance(target, int):
        return True  # a record of this very batch
    row = db.session.get(KINDS[kind_name].model, target) if kind_name in KINDS else None
    if row is None:
        return False
    ksm_id = getattr(row, "ksm_id", None)
    owner = batch.ksm(ksm_id) if ksm_id else db.session.get(Kelurahan, row.kelurahan_id)
    return owner is not None and can_read(batch.scope, batch.place(owner))


def _daily_cap():
    return current_app.config.get("CONFLICTS_PER_USER_PER_DAY", CONFLICTS_PER_USER_PER_DAY)


def _conflicts_today(batch) -> int:
    """Conflicts the user's records made in the last 24 hours, this batch's included."""
    if batch.conflicts_before is None:
        since = utcnow() - timedelta(days=1)
        batch.conflicts_before = db.session.scalar(
            db.select(db.func.count(Conflict.id)).where(
                Conflict.created_by_id == batch.user.id, Conflict.received_at >= since
            )
        )
    return batch.conflicts_before + batch.new_conflicts


def _conflict_again(batch, uuid, conflict):
    """The same conflicting record sent again: same answer, nothing new stored."""
    existing = (conflict.existing_kind, conflict.existing_uuid, conflict.existing_id)
    if conflict.status == "kept_incoming":
        return Result(uuid, "duplicate", row=_as_row(conflict.existing_id))
    if conflict.status == "kept_existing":
        return _conflict_result(
            batch,
            uuid,
            existing,
            {"record": _decided_kept_existing(conflict)},
            conflict,
        )
    return _conflict_result(
        batch,
        uuid,
        existing,
        {"record": f"Bentrok: {conflict.reason} Menunggu keputusan supervisor."},
        conflict,
    )


def _told(result, kind, batch, clash):
    """The answer says what the kind may add for this user (which KSM holds a NIK); the conflict keeps
    the kind's own reason."""
    if result.errors and "record" in result.errors:
        result.errors["record"] = result.errors["record"].replace(
            kind.clash_reason, kind.clash_message(batch, clash)
        )
    return result


def _decided_kept_existing(conflict) -> str:
    """The answer to a resend of a record the supervisor turned down, with the supervisor's reason."""
    said = f" Alasan: {conflict.decision_reason}" if conflict.decision_reason else ""
    return "Bentrok: supervisor sudah memutuskan mempertahankan data tersimpan." + said


class _Id:
    def __init__(self, id):
        self.id = id


def _as_row(target):
    return _Id(target) if isinstance(target, int) else target


def _clock(value):
    """(moment, recorded_at, error) of the phone's clock reading: the moment (aware), the same in UTC
    without zone (as stored), and an Indonesian message when it is unreadable or untrusted."""
    moment = _moment(value)
    if moment is False:
        return None, None, "Waktu pencatatan tidak dikenali."
    problem = moment and _moment_problem(moment)
    if problem:
        return None, None, problem
    return moment, moment and moment.astimezone(UTC).replace(tzinfo=None), None


def _moment(value):
    """The phone's clock reading (aware); None when absent, False when unreadable."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return False
    if moment is None:
        return False
    if moment.tzinfo is None:  # no offset: the programme's own time zone
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
    try:
        moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset: no such moment in UTC
        return False
    return moment


def _moment_problem(moment):
    """Why the phone's clock reading cannot be trusted, or None: ahead of the server by more than a
    few minutes, or before the programme began."""
    if moment.astimezone(UTC) > datetime.now(UTC) + CLOCK_SKEW:
        return "Waktu pencatatan di masa depan: periksa jam dan tanggal di HP."
    start = programme_start()
    if moment.date() < start:
        return f"Waktu pencatatan sebelum masa program ({start:%d-%m-%Y}): periksa jam dan tanggal di HP."
    return None


def _hostile_text(data) -> dict:
    """{key: message} for the first field holding control characters or bidi overrides anywhere
    (nested lists too): refused before anything is looked up or stored (PostgreSQL cannot keep a NUL)."""
    for key, value in data.items():
        problem = first_hostile(key) or first_hostile(value)
        if problem:
            return {str(key)[:40]: problem}
    return {}
