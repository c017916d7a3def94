"""The one write path of a worker registration (the outbox of the HTML form, and the sync API)."""

import re

from .. import db, eligibility, nik
from ..database import one_of
from ..models import WAGE_CATEGORIES, Attendance, Conflict, Worker
from ..records.fields import Held, New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from ..scope import can_read

# What keeping an incoming registration changes on the stored worker (NIK, birth date and season
# are its domain key, the same on both sides).
KEPT_FIELDS = (
    "ksm_id",
    "name",
    "gender",
    "category",
    "phone",
    "low_income_covid",
    "lost_income",
    "breadwinner",
)


class WorkerKind(KsmRecordKind):
    name = "worker"
    model = Worker
    writers = writers_of("worker")
    # `active` false with `inactive_from` and `inactive_reason`: deactivated (a correction).
    fields = known_fields(
        "ksm_id nik name gender category phone low_income_covid lost_income breadwinner"
        " active inactive_from inactive_reason"
    )
    clash_reason = "NIK ini sudah terdaftar sebagai pekerja pada musim ini (satu orang, satu KSM)."
    can_keep_incoming = True
    correctable = True

    def build(self, r, ksm, batch, recorded_on):
        number = (r.text("nik", max_len=20) or "").replace(" ", "")
        name = r.text("name", max_len=100)
        gender = r.choice("gender", ("L", "P"))
        category = r.choice("category", WAGE_CATEGORIES)
        phone = clean_phone(r.text("phone", max_len=20, required=False))
        if phone and not re.fullmatch(r"(\+62|62|0)8[0-9]{7,11}", phone):
            r.errors["phone"] = "Nomor HP tidak valid (contoh: 081234567890)."
        flags = [r.boolean(f) for f in ("low_income_covid", "lost_income", "breadwinner")]
        if number and "nik" not in r.errors:
            for field, message in nik.problems(number, gender, recorded_on).items():
                r.errors.setdefault(field, message)
        if None not in flags:
            r.errors.update(eligibility.problems(*flags))
        active, inactive_from, inactive_reason = _activity(r)
        if r.errors:
            return None, None
        season = ksm.start_date.year
        row = New(
            Worker,
            ksm_id=ksm.id,
            nik=number,
            name=name,
            gender=gender,
            category=category,
            phone=phone or None,
            birth_date=nik.parse(number, recorded_on).birth_date,
            low_income_covid=flags[0],
            lost_income=flags[1],
            breadwinner=flags[2],
            season=season,
            active=active,
            inactive_from=inactive_from,
            inactive_reason=inactive_reason,
        )
        return row, (number, season)

    def existing_keys(self, batch):
        numbers = [n.replace(" ", "") for n in batch.values("nik") if isinstance(n, str)]
        rows = db.session.execute(
            db.select(Worker.nik, Worker.season, Worker.version, Worker.id).where(Worker.nik.in_(numbers))
        )
        return {(w.nik, w.season): (w.version, w.id) for w in rows}

    def clash_message(self, batch, clash) -> str:
        """Names the KSM that holds the NIK when the user may see it; otherwise only "elsewhere"."""
        _uuid, held = clash
        holder = db.session.get(Worker, held) if isinstance(held, int) else held
        ksm = batch.ksm(holder.ksm_id) if holder is not None else None
        if ksm is not None and can_read(batch.scope, batch.place(ksm)):
            where = f"{ksm.name} (Kel. {ksm.kelurahan.name})"
            return f"{self.clash_reason} Sudah terdaftar di {where}."[:200]  # Conflict.reason's size
        return f"{self.clash_reason} Sudah terdaftar di luar wilayah tugas Anda."

    def remember(self, row, batch):
        workers(batch)[row.uuid] = row

    def correction_problems(self, current, new):
        """A worker with HOK stays in their KSM (their days and wages are that KSM's)."""
        if new.ksm_id != current.ksm_id and has_hok(current):
            return {"ksm_id": "Pekerja yang sudah punya catatan kehadiran tidak dapat dipindah KSM."}
        return {}

    def keep_incoming(self, conflict, existing, incoming):
        """The stored worker takes the incoming registration's KSM and details, unless it has HOK."""
        if has_hok(existing):
            return "Pekerja yang tersimpan sudah punya catatan kehadiran; pertahankan data lama."
        for field in KEPT_FIELDS:
            setattr(existing, field, getattr(incoming, field))
        return None


WORKER = WorkerKind()


def has_hok(worker) -> bool:
    """Has the worker any attendance recorded (present or not)? Then they stay in their KSM."""
    return worker.id is not None and (
        db.session.scalar(db.select(Attendance.id).where(Attendance.worker_id == worker.id).limit(1))
        is not None
    )


def data_of(worker) -> dict:
    """The stored worker as a `worker` record's data: what the edit form starts from."""
    return {
        "ksm_id": worker.ksm_id,
        "nik": worker.nik,
        "name": worker.name,
        "gender": worker.gender,
        "category": worker.category,
        "phone": worker.phone or "",
        "low_income_covid": worker.low_income_covid,
        "lost_income": worker.lost_income,
        "breadwinner": worker.breadwinner,
        "active": worker.active,
        "inactive_from": worker.inactive_from.isoformat() if worker.inactive_from else "",
        "inactive_reason": worker.inactive_reason or "",
    }


def _activity(r):
    """(active, inactive from, reason): a worker is deactivated from a date, with a reason; both are
    required then, and dropped when the worker is active (again)."""
    active = r.data.get("active", True)
    if not isinstance(active, bool):
        r.errors["active"] = "Harus true atau false."
        return True, None, None
    if active:
        return True, None, None
    since = r.day("inactive_from")
    reason = r.text("inactive_reason", max_len=200)
    if reason is not None and len(reason) < 5:
        r.errors["inactive_reason"] = "Tuliskan alasan penonaktifan (paling sedikit 5 karakter)."
    return False, since, reason


def workers(batch):
    """The batch's workers by uuid: those its records name, and those it registers."""
    if batch.workers is None:
        batch.workers = _load_workers(batch)
    return batch.workers


def _load_workers(batch):
    uuids = _named_workers(batch)
    found = {w.uuid: w for w in db.session.scalars(db.select(Worker).where(one_of(Worker.uuid, uuids)))}
    # A registration a supervisor accepted in place of a clashing one lives on as the stored worker:
    # the phone keeps naming it by its own uuid.
    accepted = db.session.execute(
        db.select(Conflict.uuid, Worker)
        .join(Worker, Worker.id == Conflict.existing_id)
        .where(
            Conflict.uuid.in_(set(uuids) - set(found)),
            Conflict.kind == "worker",
            Conflict.existing_kind == "worker",
            Conflict.status == "kept_incoming",
        )
    )
    return found | {uuid: worker for uuid, worker in accepted}


def _named_workers(batch):
    """The worker uuids the batch's records name."""
    return [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]


def held_registrations(batch):
    """Worker registrations of the batch's records that wait in the conflict table, by uuid."""
    if batch.held_registrations is None:
        rows = db.session.scalars(
            db.select(Conflict).where(
                Conflict.uuid.in_(_named_workers(batch)), Conflict.kind == "worker", Conflict.status == "open"
            )
        )
        batch.held_registrations = {c.uuid: c for c in rows}
    return batch.held_registrations


def find(batch, worker_uuid):
    """The worker a record names, or None; raises Held while its registration awaits review."""
    worker = workers(batch).get(worker_uuid)
    if worker is not None:
        return worker
    # A registration of this very batch may have just been kept as a conflict.
    in_batch = [c for c in batch.seen(worker_uuid).conflicts.values() if c.kind == "worker"]
    c = in_batch[0] if in_batch else held_registrations(batch).get(worker_uuid)
    if c is not None and c.status == "open":
        raise Held(
            (c.existing_kind, c.existing_uuid, c.existing_id),
            "Pendaftaran pekerja ini masih menunggu keputusan konflik.",
        )
    return worker


def member_of(r, batch, ksm, worker_uuid):
    """The worker a record names, checked to belong to its KSM; problems land in r.errors."""
    worker = find(batch, worker_uuid) if worker_uuid else None
    if worker_uuid and (worker is None or worker.ksm_id != ksm.id):
        # One message for "no such worker" and "someone else's": it must not tell which.
        r.errors["worker_uuid"] = "Pekerja tidak dikenal di KSM ini."
    return worker


def worker_on_list(worker, day) -> bool:
    """Is the worker (a stored or new row) on the attendance list of this day (not deactivated then)?"""
    return worker.active is not False or worker.inactive_from is None or day < worker.inactive_from


def clean_phone(value):
    """A phone number as stored: without the spaces and dashes people type."""
    return (value or "").replace(" ", "").replace("-", "")
