"""The one write path of a worker registration (the outbox of the HTML form, and the sync API)."""

import re

from .. import db, eligibility, nik
from ..database import one_of
from ..models import WAGE_CATEGORIES, Conflict, Worker
from ..records.fields import New

MODEL = Worker
CLASH_REASON = "NIK ini sudah terdaftar sebagai pekerja pada musim ini (satu orang, satu KSM)."


def locate(r, batch):
    """The KSM a record belongs to; any whole number that names no KSM is "unknown"."""
    ksm = batch.ksm(r.integer("ksm_id"))
    if ksm is None and "ksm_id" in r.data and type(r.data["ksm_id"]) is int:
        r.errors["ksm_id"] = "KSM tidak dikenal."
    return ksm


def build(r, ksm, batch, recorded_on):
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
    )
    return row, (number, season)


def existing_keys(batch):
    numbers = [n.replace(" ", "") for n in batch.values("nik") if isinstance(n, str)]
    rows = db.session.execute(
        db.select(Worker.nik, Worker.season, Worker.uuid, Worker.id).where(Worker.nik.in_(numbers))
    )
    return {(w.nik, w.season): (w.uuid, w.id) for w in rows}


def remember(row, batch):
    workers(batch)[row.uuid] = row


def workers(batch):
    """The batch's workers by uuid: those its records name, and those it registers."""
    return batch.cached("workers", _load_workers)


def _load_workers(batch):
    uuids = [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]
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


def held_registrations(batch):
    """Worker registrations of the batch's records that wait in the conflict table, by uuid."""

    def load(batch):
        uuids = [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]
        rows = db.session.scalars(
            db.select(Conflict).where(
                Conflict.uuid.in_(uuids), Conflict.kind == "worker", Conflict.status == "open"
            )
        )
        return {c.uuid: c for c in rows}

    return batch.cached("held_workers", load)


def find(batch, worker_uuid):
    """The worker a record names, or None; raises Held while its registration awaits review."""
    from ..records.fields import Held

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


def keep_incoming(conflict, existing):
    """A supervisor keeps the incoming registration: the stored worker takes its KSM and details."""
    from ..models import Attendance

    has_hok = db.session.scalar(db.select(Attendance.id).where(Attendance.worker_id == existing.id).limit(1))
    if has_hok:
        return "Pekerja yang tersimpan sudah punya catatan kehadiran; pertahankan data lama."
    data = conflict.data
    for field in (
        "ksm_id",
        "name",
        "gender",
        "category",
        "phone",
        "low_income_covid",
        "lost_income",
        "breadwinner",
    ):
        setattr(existing, field, data.get(field))
    # The same clean values `build` stored (the data passed its checks before it clashed).
    existing.name = data["name"].strip()
    existing.phone = clean_phone(data.get("phone")) or None
    return None


def clean_phone(value):
    """A phone number as stored: without the spaces and dashes people type."""
    return (value or "").replace(" ", "").replace("-", "")
