"""POST /api/sync through the test client (docs/sync-protocol.md): every status a record can get,
the answers to bad requests, the order of records in a batch, and the constraints behind the engine."""

import threading
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError, OperationalError

from kotaku_pwa import db
from kotaku_pwa.models import Attendance, Conflict, Kelurahan, Ksm, User, Worker
from kotaku_pwa.records.registry import KINDS
from kotaku_pwa.sync import engine
from tests.factories import attendance_record, make_ksm, new_uuid, nik, worker_record

# --- fixtures and helpers ---------------------------------------------------------------------------


def sign_in(auth, username):
    assert auth.login(username).status_code == 302, username
    return auth


@pytest.fixture
def faskel(demo, auth):
    return sign_in(auth, "faskel")


@pytest.fixture
def bendahara(demo, auth):
    return sign_in(auth, "bendahara")


@pytest.fixture
def askot(demo, auth):
    return sign_in(auth, "askot")


@pytest.fixture
def admin(demo, auth):
    return sign_in(auth, "admin")


def ksm(kelurahan="Tanjung Karang", number=1) -> Ksm:
    """A demo KSM ("KSM Tanjung Karang 1" is the bendahara's)."""
    return db.session.execute(
        db.select(Ksm)
        .join(Kelurahan)
        .where(Kelurahan.name == kelurahan, Ksm.name == f"KSM {kelurahan} {number}")
    ).scalar_one()


def demo_worker(name="Abdul Rahman") -> Worker:
    """A demo worker of KSM Tanjung Karang 1, with attendance from 15 to 28 April 2021 (not Sundays)."""
    return db.session.execute(db.select(Worker).where(Worker.name == name)).scalar_one()


def user(username) -> User:
    return db.session.execute(db.select(User).where(User.username == username)).scalar_one()


def count(model, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def counts():
    return {model.__name__: count(model) for model in (Worker, Attendance, Conflict)}


def attendance(ksm_id, worker_uuid, work_date="2021-05-03", present=True, uuid=None):
    """An attendance record made on the evening of its work day (after the demo's fortnight)."""
    record = attendance_record(ksm_id, worker_uuid, work_date=work_date, present=present, uuid=uuid)
    record["recorded_at"] = f"{work_date}T16:00:00+08:00"
    return record


def send(auth, *records):
    response = auth.sync(list(records))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    found = response.get_json()["results"]
    assert len(found) == len(records)
    return found


def send_one(auth, record):
    [result] = send(auth, record)
    return result


def changed(record, **data):
    """The same record (same uuid) with some data changed."""
    return {**record, "data": {**record["data"], **data}}


def without(record, field):
    data = dict(record["data"])
    del data[field]
    return {**record, "data": data}


def is_sqlite():
    return db.engine.dialect.name == "sqlite"


# --- created ----------------------------------------------------------------------------------------


def test_worker_created(faskel):
    tk1 = ksm()
    record = worker_record(tk1.id)
    result = send_one(faskel, record)
    assert result["status"] == "created"
    assert set(result) == {"uuid", "status", "id"}
    assert result["uuid"] == record["uuid"]
    worker = db.session.get(Worker, result["id"])
    assert worker.uuid == record["uuid"]
    assert worker.ksm_id == tk1.id
    assert worker.nik == "5271051203850001"
    assert worker.birth_date == date(1985, 3, 12)
    assert (worker.name, worker.gender, worker.category) == ("Budi Santoso", "L", "pekerja")
    assert (worker.low_income_covid, worker.lost_income, worker.breadwinner) == (True, False, True)
    assert worker.season == 2021
    assert worker.created_by_id == user("faskel").id
    assert worker.recorded_at == datetime(2021, 4, 16, 0, 0)  # 08:00 WITA, stored as naive UTC
    assert worker.received_at is not None


def test_worker_nik_and_phone_normalised(faskel):
    record = worker_record(ksm().id, nik="5271 0512 0385 0001", phone="0812-3456 7890")
    result = send_one(faskel, record)
    assert result["status"] == "created"
    worker = db.session.get(Worker, result["id"])
    assert (worker.nik, worker.phone) == ("5271051203850001", "081234567890")


@pytest.mark.parametrize("phone", [None, ""])
def test_worker_phone_is_optional(faskel, phone):
    record = worker_record(ksm().id, phone=phone)
    result = send_one(faskel, record)
    assert result["status"] == "created"
    assert db.session.get(Worker, result["id"]).phone is None


def test_woman_worker_created(faskel):
    record = worker_record(ksm().id, nik=nik(born=date(1990, 7, 31), gender="P"), gender="P", name="Baiq")
    result = send_one(faskel, record)
    assert result["status"] == "created"
    assert db.session.get(Worker, result["id"]).birth_date == date(1990, 7, 31)


def test_attendance_created(faskel):
    tk1, worker = ksm(), demo_worker()
    record = attendance(tk1.id, worker.uuid, "2021-05-03", present=False)
    result = send_one(faskel, record)
    assert result["status"] == "created"
    assert set(result) == {"uuid", "status", "id"}
    row = db.session.get(Attendance, result["id"])
    assert (row.ksm_id, row.worker_id, row.work_date, row.present) == (
        tk1.id,
        worker.id,
        date(2021, 5, 3),
        False,
    )
    assert row.uuid == record["uuid"]
    assert row.created_by_id == user("faskel").id


def test_worker_uuid_of_another_case_finds_the_worker(faskel):
    worker = demo_worker()
    result = send_one(faskel, attendance(ksm().id, worker.uuid.upper()))
    assert result["status"] == "created"
    assert db.session.get(Attendance, result["id"]).worker_id == worker.id


# --- duplicate --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["worker", "attendance"])
def test_resend_is_duplicate_with_the_same_id(faskel, kind):
    tk1 = ksm()
    record = worker_record(tk1.id) if kind == "worker" else attendance(tk1.id, demo_worker().uuid)
    first = send_one(faskel, record)
    before = counts()
    again = send_one(faskel, record)
    assert again == {"uuid": record["uuid"], "status": "duplicate", "id": first["id"]}
    assert counts() == before
    assert count(KINDS[kind].model, KINDS[kind].model.uuid == record["uuid"]) == 1


def test_duplicate_ignores_recorded_at(faskel):
    record = worker_record(ksm().id)
    first = send_one(faskel, record)
    later = {**record, "recorded_at": "2021-04-18T10:00:00+08:00"}
    assert send_one(faskel, later) == {"uuid": record["uuid"], "status": "duplicate", "id": first["id"]}
    assert db.session.get(Worker, first["id"]).recorded_at == datetime(2021, 4, 16, 0, 0)


def test_duplicate_ignores_key_order(faskel):
    record = worker_record(ksm().id)
    first = send_one(faskel, record)
    reordered = {**record, "data": dict(reversed(list(record["data"].items())))}
    assert send_one(faskel, reordered)["status"] == "duplicate"
    assert send_one(faskel, reordered)["id"] == first["id"]


def test_duplicate_of_a_record_created_earlier_in_the_same_batch(faskel):
    record = worker_record(ksm().id)
    before = count(Worker)
    first, second = send(faskel, record, record)
    assert first["status"] == "created"
    assert second == {"uuid": record["uuid"], "status": "duplicate", "id": first["id"]}
    assert count(Worker) == before + 1


def test_resend_of_an_upper_case_uuid_is_duplicate(faskel):
    record = worker_record(ksm().id, uuid=new_uuid().upper())
    first = send_one(faskel, record)
    assert first["status"] == "created"
    assert db.session.get(Worker, first["id"]).uuid == record["uuid"].lower()
    assert send_one(faskel, record) == {
        "uuid": record["uuid"].lower(),
        "status": "duplicate",
        "id": first["id"],
    }


# --- conflict ---------------------------------------------------------------------------------------


def test_same_uuid_with_other_data_is_a_conflict_and_nothing_is_overwritten(faskel):
    tk1 = ksm()
    record = worker_record(tk1.id)
    first = send_one(faskel, record)
    result = send_one(faskel, changed(record, name="Budi Santosa", category="tukang"))
    assert result["status"] == "conflict"
    assert result["uuid"] == record["uuid"]
    assert result["existing"] == {"kind": "worker", "uuid": record["uuid"], "id": first["id"]}
    assert "id" not in result
    assert result["errors"]["record"].startswith("Bentrok:")
    worker = db.session.get(Worker, first["id"])
    assert (worker.name, worker.category) == ("Budi Santoso", "pekerja")
    conflict = db.session.execute(db.select(Conflict)).scalar_one()
    assert (conflict.uuid, conflict.kind, conflict.status) == (record["uuid"], "worker", "open")
    assert conflict.data["name"] == "Budi Santosa"
    assert (conflict.existing_kind, conflict.existing_uuid, conflict.existing_id) == (
        "worker",
        record["uuid"],
        first["id"],
    )
    assert conflict.kelurahan_id == tk1.kelurahan_id
    assert conflict.created_by_id == user("faskel").id
    assert conflict.reason == "UUID ini sudah dipakai untuk data lain."


def test_same_uuid_with_other_attendance_data_is_a_conflict(faskel):
    tk1, worker = ksm(), demo_worker()
    record = attendance(tk1.id, worker.uuid, present=True)
    first = send_one(faskel, record)
    result = send_one(faskel, changed(record, present=False))
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "attendance", "uuid": record["uuid"], "id": first["id"]}
    assert db.session.get(Attendance, first["id"]).present is True
    assert count(Attendance, Attendance.uuid == record["uuid"]) == 1
    assert count(Conflict, Conflict.uuid == record["uuid"]) == 1


def test_same_uuid_used_for_another_kind_is_a_conflict(faskel):
    tk1 = ksm()
    record = worker_record(tk1.id)
    first = send_one(faskel, record)
    reused = attendance(tk1.id, demo_worker().uuid, uuid=record["uuid"])
    result = send_one(faskel, reused)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker", "uuid": record["uuid"], "id": first["id"]}
    assert count(Attendance, Attendance.uuid == record["uuid"]) == 0


def test_same_uuid_other_data_in_the_same_batch(faskel):
    record = worker_record(ksm().id)
    first, second = send(faskel, record, changed(record, name="Orang Lain"))
    assert first["status"] == "created"
    assert second["status"] == "conflict"
    assert second["existing"] == {"kind": "worker", "uuid": record["uuid"], "id": first["id"]}
    assert db.session.get(Worker, first["id"]).name == "Budi Santoso"
    assert db.session.execute(db.select(Conflict.existing_id)).scalar_one() == first["id"]


def test_second_attendance_for_the_same_worker_and_day_is_a_conflict(faskel):
    tk1, worker = ksm(), demo_worker()  # Abdul Rahman is recorded absent on 20 April by the demo
    stored = db.session.execute(
        db.select(Attendance).where(
            Attendance.worker_id == worker.id, Attendance.work_date == date(2021, 4, 20)
        )
    ).scalar_one()
    assert stored.present is False
    before = counts()
    record = attendance(tk1.id, worker.uuid, "2021-04-20", present=True)
    result = send_one(faskel, record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "attendance", "uuid": stored.uuid, "id": stored.id}
    assert counts() == {**before, "Conflict": before["Conflict"] + 1}
    db.session.refresh(stored)
    assert stored.present is False
    conflict = db.session.execute(db.select(Conflict)).scalar_one()
    assert conflict.uuid == record["uuid"]
    assert conflict.reason == "Kehadiran pekerja ini pada tanggal ini sudah tercatat."
    assert conflict.data == record["data"]


def test_second_attendance_in_the_same_batch_is_a_conflict(faskel):
    tk1, worker = ksm(), demo_worker()
    first_record = attendance(tk1.id, worker.uuid, "2021-05-04")
    second_record = attendance(tk1.id, worker.uuid, "2021-05-04", present=False)
    first, second = send(faskel, first_record, second_record)
    assert first["status"] == "created"
    assert second["status"] == "conflict"
    assert second["existing"] == {"kind": "attendance", "uuid": first_record["uuid"], "id": first["id"]}
    assert count(Attendance, Attendance.worker_id == worker.id, Attendance.work_date == date(2021, 5, 4)) == 1


def test_resend_of_a_conflicting_record_gives_the_same_answer(faskel):
    tk1, worker = ksm(), demo_worker()
    record = attendance(tk1.id, worker.uuid, "2021-04-20")
    first = send_one(faskel, record)
    before = counts()
    again = send_one(faskel, record)
    assert again == first
    assert again["status"] == "conflict"
    assert counts() == before


def test_resend_of_a_reused_uuid_conflict_gives_the_same_answer(faskel):
    record = worker_record(ksm().id)
    send_one(faskel, record)
    other = changed(record, name="Orang Lain")
    first = send_one(faskel, other)
    assert first["status"] == "conflict"
    again = send_one(faskel, other)
    assert again == first
    assert count(Conflict) == 1


def test_same_nik_in_another_ksm_of_the_season_is_a_conflict(faskel):
    tk1, tk2 = ksm(), ksm(number=2)
    first_record = worker_record(tk1.id)
    first = send_one(faskel, first_record)
    second_record = worker_record(tk2.id, name="Budi S.")
    result = send_one(faskel, second_record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker", "uuid": first_record["uuid"], "id": first["id"]}
    assert count(Worker, Worker.nik == first_record["data"]["nik"]) == 1
    assert db.session.get(Worker, first["id"]).ksm_id == tk1.id
    conflict = db.session.execute(db.select(Conflict)).scalar_one()
    assert conflict.uuid == second_record["uuid"]
    assert conflict.reason == "NIK ini sudah terdaftar sebagai pekerja pada musim ini (satu orang, satu KSM)."
    assert conflict.kelurahan_id == tk2.kelurahan_id


def test_same_nik_as_a_demo_worker_in_another_kelurahan_is_a_conflict(faskel):
    stored = demo_worker()
    pagutan = ksm("Pagutan")
    record = worker_record(pagutan.id, nik=stored.nik, name=stored.name)
    result = send_one(faskel, record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker", "uuid": stored.uuid, "id": stored.id}
    assert count(Worker, Worker.ksm_id == pagutan.id) == 0


def test_same_nik_written_with_spaces_is_the_same_person(faskel):
    stored = demo_worker()
    spaced = " ".join(stored.nik[i : i + 4] for i in range(0, 16, 4))
    result = send_one(faskel, worker_record(ksm(number=2).id, nik=spaced, name=stored.name))
    assert result["status"] == "conflict"
    assert result["existing"]["id"] == stored.id


def test_same_nik_twice_in_one_batch(faskel):
    first, second = send(faskel, worker_record(ksm().id), worker_record(ksm(number=2).id))
    assert first["status"] == "created"
    assert second["status"] == "conflict"
    assert second["existing"]["id"] == first["id"]
    assert count(Worker, Worker.nik == nik()) == 1


def test_same_nik_in_another_season_is_created(faskel):
    stored = demo_worker()
    next_season = make_ksm(
        ksm().kelurahan, name="KSM Tanjung Karang 2022", start=date(2022, 4, 15), end=date(2022, 7, 15)
    )
    result = send_one(faskel, worker_record(next_season.id, nik=stored.nik, name=stored.name))
    assert result["status"] == "created"
    assert db.session.get(Worker, result["id"]).season == 2022
    assert count(Worker, Worker.nik == stored.nik) == 2


def test_attendance_for_a_worker_whose_registration_is_an_open_conflict(faskel):
    stored, tk2 = demo_worker(), ksm(number=2)
    registration = worker_record(tk2.id, nik=stored.nik, name=stored.name)
    held = send_one(faskel, registration)
    assert held["status"] == "conflict"
    before = counts()
    record = attendance(tk2.id, registration["uuid"], "2021-05-03")
    result = send_one(faskel, record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker", "uuid": stored.uuid, "id": stored.id}
    assert counts() == {**before, "Conflict": before["Conflict"] + 1}
    kept = db.session.execute(db.select(Conflict).where(Conflict.uuid == record["uuid"])).scalar_one()
    assert (kept.kind, kept.data, kept.status) == ("attendance", record["data"], "open")
    # Sent again (a lost reply): the same answer, still one kept copy.
    assert send_one(faskel, record) == result
    assert count(Conflict, Conflict.uuid == record["uuid"]) == 1


def test_attendance_for_a_held_registration_in_the_same_batch(faskel):
    stored, tk2 = demo_worker(), ksm(number=2)
    registration = worker_record(tk2.id, nik=stored.nik, name=stored.name)
    results = send(faskel, registration, attendance(tk2.id, registration["uuid"]))
    assert [r["status"] for r in results] == ["conflict", "conflict"]
    assert count(Attendance, Attendance.ksm_id == tk2.id) == 0


def test_held_registration_found_after_an_unknown_worker_earlier_in_the_batch(faskel):
    # The batch's first attendance names an unknown worker: its lookup must not hide the registration
    # that the second record puts in the conflict table from the third record.
    stored, tk2 = demo_worker(), ksm(number=2)
    registration = worker_record(tk2.id, nik=stored.nik, name=stored.name)
    results = send(
        faskel,
        attendance(tk2.id, new_uuid()),
        registration,
        attendance(tk2.id, registration["uuid"]),
    )
    assert [r["status"] for r in results] == ["invalid", "conflict", "conflict"]
    assert count(Conflict, Conflict.kind == "attendance") == 1


def test_invalid_attendance_for_a_held_worker_is_invalid_not_kept(faskel):
    # Validation comes before conflicts: a record that cannot be right is not kept for review.
    stored, tk2 = demo_worker(), ksm(number=2)
    registration = worker_record(tk2.id, nik=stored.nik, name=stored.name)
    send_one(faskel, registration)
    result = send_one(faskel, attendance(tk2.id, registration["uuid"], "2021-08-01"))
    assert result["status"] == "invalid"
    assert "work_date" in result["errors"]
    assert count(Conflict, Conflict.kind == "attendance") == 0


# --- invalid ----------------------------------------------------------------------------------------

DROP = object()
MINOR = "Pekerja harus berusia minimal 18 tahun (menurut NIK)."
NOT_BOOL = "Harus true atau false."
NOT_INT = "Harus berupa bilangan bulat."
NOT_TEXT = "Harus berupa teks."
REQUIRED = "Wajib diisi."
BAD_PHONE = "Nomor HP tidak valid (contoh: 081234567890)."
BAD_DAY = "Tanggal lahir pada NIK (angka 7-12) tidak valid."

WORKER_INVALID = {
    "missing ksm_id": ({"ksm_id": DROP}, "ksm_id", REQUIRED),
    "null ksm_id": ({"ksm_id": None}, "ksm_id", REQUIRED),
    "missing nik": ({"nik": DROP}, "nik", REQUIRED),
    "blank nik": ({"nik": "   "}, "nik", REQUIRED),
    "missing name": ({"name": DROP}, "name", REQUIRED),
    "missing gender": ({"gender": DROP}, "gender", REQUIRED),
    "missing category": ({"category": DROP}, "category", REQUIRED),
    "missing low_income_covid": ({"low_income_covid": DROP}, "low_income_covid", NOT_BOOL),
    "missing lost_income": ({"lost_income": DROP}, "lost_income", NOT_BOOL),
    "missing breadwinner": ({"breadwinner": DROP}, "breadwinner", NOT_BOOL),
    "string ksm_id": ({"ksm_id": "1"}, "ksm_id", NOT_INT),
    "float ksm_id": ({"ksm_id": 1.5}, "ksm_id", NOT_INT),
    "bool ksm_id": ({"ksm_id": True}, "ksm_id", NOT_INT),
    "list ksm_id": ({"ksm_id": [1]}, "ksm_id", NOT_INT),
    "unknown ksm_id": ({"ksm_id": 999_999}, "ksm_id", "KSM tidak dikenal."),
    "negative ksm_id": ({"ksm_id": -1}, "ksm_id", "KSM tidak dikenal."),
    "int name": ({"name": 123}, "name", NOT_TEXT),
    "blank name": ({"name": "  "}, "name", REQUIRED),
    "long name": ({"name": "x" * 101}, "name", "Paling banyak 100 karakter."),
    "int nik": ({"nik": 5271051203850001}, "nik", NOT_TEXT),
    "short nik": ({"nik": "527105120385001"}, "nik", "NIK harus 16 angka."),
    "letters in nik": ({"nik": "52710512038500A1"}, "nik", "NIK harus 16 angka."),
    "unknown province": (
        {"nik": "9971051203850001"},
        "nik",
        "Kode provinsi pada NIK (2 angka pertama) tidak dikenal.",
    ),
    "kabupaten 00": (
        {"nik": "5200051203850001"},
        "nik",
        "Kode kabupaten/kota atau kecamatan pada NIK tidak valid.",
    ),
    "kecamatan 00": (
        {"nik": "5271001203850001"},
        "nik",
        "Kode kabupaten/kota atau kecamatan pada NIK tidak valid.",
    ),
    "day 35": ({"nik": "5271053503850001"}, "nik", BAD_DAY),
    "month 13": ({"nik": "5271051213850001"}, "nik", BAD_DAY),
    "31 February": ({"nik": "5271053102850001"}, "nik", BAD_DAY),
    "serial 0000": (
        {"nik": "5271051203850000"},
        "nik",
        "Nomor urut pada NIK (4 angka terakhir) tidak valid.",
    ),
    "gender P for a man's NIK": (
        {"gender": "P"},
        "gender",
        "Jenis kelamin tidak sesuai NIK (NIK ini milik laki-laki).",
    ),
    "gender L for a woman's NIK": (
        {"nik": nik(gender="P")},
        "gender",
        "Jenis kelamin tidak sesuai NIK (NIK ini milik perempuan).",
    ),
    "minor": ({"nik": nik(born=date(2005, 1, 1))}, "nik", MINOR),
    "17 on the record day": ({"nik": nik(born=date(2003, 4, 17))}, "nik", MINOR),
    "unknown gender": ({"gender": "X"}, "gender", "Pilihan tidak dikenal: L, P."),
    "unknown category": ({"category": "bos"}, "category", "Pilihan tidak dikenal: pekerja, tukang, mandor."),
    "yes for a flag": ({"low_income_covid": "yes"}, "low_income_covid", NOT_BOOL),
    "1 for a flag": ({"breadwinner": 1}, "breadwinner", NOT_BOOL),
    "not affected by Covid": (
        {"low_income_covid": False, "lost_income": False},
        "low_income_covid",
        "Pekerja harus MBR terdampak Covid-19 dan/atau kehilangan pekerjaan/penghasilan.",
    ),
    "not the breadwinner": (
        {"breadwinner": False},
        "breadwinner",
        "Pekerja harus tulang punggung (pencari nafkah utama) keluarga.",
    ),
    "short phone": ({"phone": "12345"}, "phone", BAD_PHONE),
    "letters in phone": ({"phone": "0812abc45678"}, "phone", BAD_PHONE),
    "landline": ({"phone": "0370123456"}, "phone", BAD_PHONE),
    "phone too long": ({"phone": "08123456789012"}, "phone", BAD_PHONE),
    "full-width digits in phone": ({"phone": "08１２３４５６７８９"}, "phone", BAD_PHONE),
    "int phone": ({"phone": 81234567890}, "phone", NOT_TEXT),
}


def with_changes(record, changes):
    data = dict(record["data"])
    for field, value in changes.items():
        if value is DROP:
            del data[field]
        else:
            data[field] = value
    return {**record, "data": data}


def check_invalid(auth, cases, make):
    """Send one record per case in one batch: each must be invalid with its message, none stored."""
    records = {name: with_changes(make(), changes) for name, (changes, _, _) in cases.items()}
    before = counts()
    results = send(auth, *records.values())
    wrong = {}
    for (name, (_, field, message)), record, result in zip(
        cases.items(), records.values(), results, strict=True
    ):
        expected = {"uuid": record["uuid"], "status": "invalid"}
        if {k: result.get(k) for k in expected} != expected or result["errors"].get(field) != message:
            wrong[name] = result
        elif "id" in result:
            wrong[name] = result
    assert wrong == {}
    assert counts() == before


def test_invalid_worker(faskel):
    check_invalid(faskel, WORKER_INVALID, lambda: worker_record(ksm().id))


def test_invalid_worker_reports_every_field(faskel):
    record = with_changes(
        worker_record(ksm().id),
        {"name": DROP, "gender": "X", "category": None, "phone": "1", "breadwinner": False},
    )
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert set(result["errors"]) == {"name", "gender", "category", "phone", "breadwinner"}


ATTENDANCE_INVALID = {
    "missing worker_uuid": ({"worker_uuid": DROP}, "worker_uuid", REQUIRED),
    "missing work_date": ({"work_date": DROP}, "work_date", REQUIRED),
    "missing present": ({"present": DROP}, "present", NOT_BOOL),
    "yes for present": ({"present": "yes"}, "present", NOT_BOOL),
    "1 for present": ({"present": 1}, "present", NOT_BOOL),
    "missing ksm_id": ({"ksm_id": DROP}, "ksm_id", REQUIRED),
    "string ksm_id": ({"ksm_id": "1"}, "ksm_id", NOT_INT),
    "unknown ksm_id": ({"ksm_id": 999_999}, "ksm_id", "KSM tidak dikenal."),
    "malformed worker_uuid": ({"worker_uuid": "budi"}, "worker_uuid", "Harus berupa UUID."),
    "int worker_uuid": ({"worker_uuid": 7}, "worker_uuid", "Harus berupa UUID."),
    "unknown worker_uuid": (
        {"worker_uuid": "00000000-0000-4000-8000-000000000000"},
        "worker_uuid",
        "Pekerja tidak dikenal di KSM ini.",
    ),
    "future work_date": ({"work_date": "2999-01-01"}, "work_date", "Tanggal tidak boleh di masa depan."),
    "before the KSM period": (
        {"work_date": "2021-04-14"},
        "work_date",
        "Tanggal di luar masa kegiatan KSM (15-04-2021 s.d. 15-07-2021).",
    ),
    "after the KSM period": (
        {"work_date": "2021-07-16"},
        "work_date",
        "Tanggal di luar masa kegiatan KSM (15-04-2021 s.d. 15-07-2021).",
    ),
    "day-month-year": ({"work_date": "03-05-2021"}, "work_date", "Tanggal harus berformat YYYY-MM-DD."),
    "30 February": ({"work_date": "2021-02-30"}, "work_date", "Tanggal harus berformat YYYY-MM-DD."),
    "datetime": ({"work_date": "2021-05-03T08:00:00"}, "work_date", "Tanggal harus berformat YYYY-MM-DD."),
    "int work_date": ({"work_date": 20210503}, "work_date", "Tanggal harus berformat YYYY-MM-DD."),
}


def test_invalid_attendance(faskel):
    check_invalid(faskel, ATTENDANCE_INVALID, lambda: attendance(ksm().id, demo_worker().uuid))


def test_attendance_for_a_worker_of_another_ksm(faskel):
    worker = demo_worker()  # of KSM Tanjung Karang 1
    before = counts()
    result = send_one(faskel, attendance(ksm(number=2).id, worker.uuid))
    assert result["status"] == "invalid"
    assert result["errors"] == {"worker_uuid": "Pekerja tidak dikenal di KSM ini."}
    assert counts() == before


SAME = object()  # the result echoes the record's uuid
RECORD_INVALID = {
    "malformed uuid": ({"uuid": "not-a-uuid"}, SAME, "uuid"),
    "uuid without dashes": ({"uuid": new_uuid().replace("-", "")}, SAME, "uuid"),
    "missing uuid": ({"uuid": DROP}, None, "uuid"),
    "int uuid": ({"uuid": 12}, None, "uuid"),
    "unknown kind": ({"kind": "ramalan_cuaca"}, SAME, "kind"),
    "missing kind": ({"kind": DROP}, SAME, "kind"),
    "int kind": ({"kind": 3}, SAME, "kind"),
    "data a list": ({"data": []}, SAME, "data"),
    "data a string": ({"data": "x"}, SAME, "data"),
    "missing data": ({"data": DROP}, SAME, "data"),
}


def test_invalid_record(faskel):
    records = []
    for changes, _, _ in RECORD_INVALID.values():
        record = worker_record(ksm().id)
        for key, value in changes.items():
            if value is DROP:
                del record[key]
            else:
                record[key] = value
        records.append(record)
    before = counts()
    results = send(faskel, *records)
    wrong = {}
    for (name, (_, echo, field)), record, result in zip(
        RECORD_INVALID.items(), records, results, strict=True
    ):
        uuid = record["uuid"] if echo is SAME else echo
        if result["status"] != "invalid" or set(result["errors"]) != {field} or result["uuid"] != uuid:
            wrong[name] = result
    assert wrong == {}
    assert all(
        result["errors"][field]
        for result, (_, _, field) in zip(results, RECORD_INVALID.values(), strict=True)
    )
    assert counts() == before


def test_a_record_that_is_not_an_object(faskel):
    results = send(faskel, "text", 5, None, [], True)
    assert (
        results
        == [{"uuid": None, "status": "invalid", "errors": {"record": "Setiap data harus berupa objek JSON."}}]
        * 5
    )


@pytest.mark.parametrize("kind", [["worker"], {"name": "worker"}])
def test_unhashable_kind_is_invalid(faskel, kind):
    record = {**worker_record(ksm().id), "kind": kind}
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert "kind" in result["errors"]


def test_text_with_a_lone_surrogate_is_invalid(faskel):
    record = worker_record(ksm().id, name="Budi \ud800")
    before = counts()
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert counts() == before


@pytest.mark.parametrize(
    "big",
    [2**30, 2**31 - 1, 2**31, 2**62, 2**63, 10**20],
)
def test_big_ksm_id_is_unknown(faskel, big):
    # Next to a valid record, before and after it: the batch's KSM lookup must survive it.
    results = send(faskel, worker_record(ksm().id), worker_record(big, nik=nik(serial=2)))
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert results[1]["errors"] == {"ksm_id": "KSM tidak dikenal."}
    results = send(faskel, worker_record(big, nik=nik(serial=3)), worker_record(ksm().id, nik=nik(serial=4)))
    assert [r["status"] for r in results] == ["invalid", "created"]
    assert results[0]["errors"] == {"ksm_id": "KSM tidak dikenal."}


def test_bool_ksm_id_next_to_a_valid_record(faskel):
    # The batch loads every KSM id of the batch at once: a boolean must not reach that query.
    results = send(faskel, worker_record(True), worker_record(ksm().id, nik=nik(serial=2)))
    assert [r["status"] for r in results] == ["invalid", "created"]
    assert results[0]["errors"] == {"ksm_id": NOT_INT}


# --- recorded_at ------------------------------------------------------------------------------------


def test_recorded_at_may_be_missing(faskel):
    record = worker_record(ksm().id)
    del record["recorded_at"]
    result = send_one(faskel, record)
    assert result["status"] == "created"
    assert db.session.get(Worker, result["id"]).recorded_at is not None


def test_recorded_at_without_offset_is_mataram_time(faskel):
    record = {**worker_record(ksm().id), "recorded_at": "2021-04-16T08:00:00"}
    result = send_one(faskel, record)
    assert db.session.get(Worker, result["id"]).recorded_at == datetime(2021, 4, 16, 0, 0)


@pytest.mark.parametrize(
    "recorded_at", ["kemarin", "", "2021-13-01T08:00:00+08:00", "16/04/2021", 20210416, True, [], {}]
)
def test_garbage_recorded_at_is_invalid(faskel, recorded_at):
    record = {**worker_record(ksm().id), "recorded_at": recorded_at}
    before = counts()
    result = send_one(faskel, record)
    assert result == {
        "uuid": record["uuid"],
        "status": "invalid",
        "errors": {"recorded_at": "Waktu pencatatan tidak dikenali."},
    }
    assert counts() == before


@pytest.mark.parametrize("recorded_at", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+08:00"])
def test_recorded_at_out_of_range_is_invalid(faskel, recorded_at):
    record = {**worker_record(ksm().id), "recorded_at": recorded_at}
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert "recorded_at" in result["errors"]


def test_age_is_judged_on_the_recorded_day(faskel):
    young = nik(born=date(2003, 4, 17))  # 18 on 17 April 2021
    on_16th = worker_record(ksm().id, nik=young)
    assert send_one(faskel, on_16th)["status"] == "invalid"
    on_17th = {**worker_record(ksm().id, nik=young), "recorded_at": "2021-04-17T07:00:00+08:00"}
    assert send_one(faskel, on_17th)["status"] == "created"


def test_a_phone_clock_in_the_future_does_not_make_a_minor_adult(faskel):
    record = {
        **worker_record(ksm().id, nik=nik(born=date(2020, 1, 1))),
        "recorded_at": "2045-01-01T08:00:00+08:00",
    }
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    # Refused on the clock itself now (issue 11, item 6): a reading past the server's time is not trusted.
    future = "Waktu pencatatan di masa depan: periksa jam dan tanggal di HP."
    assert result["errors"] == {"recorded_at": future}


# --- back-dating window -----------------------------------------------------------------------------


def backdated(work_date, uuid=None):
    record = attendance(ksm().id, demo_worker().uuid, work_date, uuid=uuid)
    record["recorded_at"] = "2021-05-10T09:00:00+08:00"
    return record


def test_backdating_window_off_by_default(faskel, app):
    assert app.config["BACKDATE_WINDOW_DAYS"] is None
    assert send_one(faskel, backdated("2021-04-30"))["status"] == "created"


def test_backdating_window_refuses_older_work_dates(faskel, app, monkeypatch):
    monkeypatch.setitem(app.config, "BACKDATE_WINDOW_DAYS", 3)
    before = counts()
    result = send_one(faskel, backdated("2021-05-05"))  # 5 days before 10 May
    assert result["status"] == "invalid"
    assert result["errors"] == {"work_date": "Pencatatan mundur lebih dari 3 hari tidak diizinkan."}
    assert counts() == before
    assert send_one(faskel, backdated("2021-05-06"))["status"] == "invalid"  # 4 days
    assert send_one(faskel, backdated("2021-05-07"))["status"] == "created"  # 3 days
    assert send_one(faskel, backdated("2021-05-10"))["status"] == "created"  # the same day


# --- forbidden --------------------------------------------------------------------------------------

OUT_OF_SCOPE = "Di luar wilayah tugas Anda."
ROLE_MAY_NOT = "Peran Anda tidak boleh mencatat data ini."


def record_of(kind, ksm_row, worker=None):
    if kind == "worker":
        return worker_record(ksm_row.id)
    return attendance(ksm_row.id, (worker or demo_worker()).uuid)


# SPEC: supervisors write verifications (tests/test_verification.py); every other kind is forbidden.
@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"verification"}))
def test_supervisor_writes_no_kind(askot, kind):
    tk1 = ksm()
    if kind in ("worker", "attendance"):
        record = record_of(kind, tk1)
    else:  # the role is refused before the data is read
        record = {
            "uuid": new_uuid(),
            "kind": kind,
            "data": {"ksm_id": tk1.id, "kelurahan_id": tk1.kelurahan_id},
        }
    before = counts()
    result = send_one(askot, record)
    assert result["status"] == "forbidden"
    assert result["errors"] == {"kind": ROLE_MAY_NOT}
    assert "id" not in result
    assert counts() == before


def test_bendahara_may_not_register_workers(bendahara):
    before = counts()
    result = send_one(bendahara, worker_record(ksm().id))  # even in their own KSM
    assert result["status"] == "forbidden"
    assert result["errors"] == {"kind": ROLE_MAY_NOT}
    assert counts() == before


def test_bendahara_records_attendance_in_their_ksm(bendahara):
    result = send_one(bendahara, attendance(ksm().id, demo_worker().uuid))
    assert result["status"] == "created"
    assert db.session.get(Attendance, result["id"]).created_by_id == user("bendahara").id


def test_bendahara_may_not_record_attendance_in_another_ksm(bendahara):
    tk2 = ksm(number=2)
    worker_uuid = new_uuid()
    before = counts()
    result = send_one(bendahara, attendance(tk2.id, worker_uuid))
    assert result["status"] == "forbidden"
    assert result["errors"] == {"data": OUT_OF_SCOPE}
    assert counts() == before


@pytest.mark.parametrize("kind", ["worker", "attendance"])
def test_fasilitator_may_not_write_outside_their_kelurahan(faskel, kind):
    kebon_sari = ksm("Kebon Sari")
    before = counts()
    result = send_one(faskel, record_of(kind, kebon_sari))
    assert result["status"] == "forbidden"
    assert result["errors"] == {"data": OUT_OF_SCOPE}
    assert counts() == before


def test_scope_is_checked_before_the_content(faskel):
    # Outside their area a user learns nothing about what is wrong with the record.
    record = worker_record(ksm("Kebon Sari").id, nik="123", name=None)
    assert send_one(faskel, record)["status"] == "forbidden"


def test_fasilitator_writes_in_both_their_kelurahan(faskel):
    results = send(faskel, worker_record(ksm().id), worker_record(ksm("Pagutan", 2).id, nik=nik(serial=2)))
    assert [r["status"] for r in results] == ["created", "created"]


def test_admin_writes_everywhere(admin):
    result = send_one(admin, worker_record(ksm("Kebon Sari").id))
    assert result["status"] == "created"


# --- batches: order, mixing, nothing half-written ----------------------------------------------------


def test_worker_then_their_attendance_in_one_batch(faskel):
    tk1 = ksm()
    registration = worker_record(tk1.id)
    day = attendance(tk1.id, registration["uuid"], "2021-05-03")
    first, second = send(faskel, registration, day)
    assert (first["status"], second["status"]) == ("created", "created")
    row = db.session.get(Attendance, second["id"])
    assert row.worker_id == first["id"]
    assert row.worker.uuid == registration["uuid"]


def test_attendance_before_its_worker_is_invalid(faskel):
    tk1 = ksm()
    registration = worker_record(tk1.id)
    day = attendance(tk1.id, registration["uuid"], "2021-05-03")
    first, second = send(faskel, day, registration)
    assert first == {
        "uuid": day["uuid"],
        "status": "invalid",
        "errors": {"worker_uuid": "Pekerja tidak dikenal di KSM ini."},
    }
    assert second["status"] == "created"
    assert count(Attendance, Attendance.uuid == day["uuid"]) == 0
    # Sent again later, in order, the attendance is stored.
    assert send_one(faskel, day)["status"] == "created"


def test_invalid_registration_then_its_attendance(faskel):
    tk1 = ksm()
    registration = worker_record(tk1.id, nik="123")
    first, second = send(faskel, registration, attendance(tk1.id, registration["uuid"]))
    assert (first["status"], second["status"]) == ("invalid", "invalid")
    assert second["errors"] == {"worker_uuid": "Pekerja tidak dikenal di KSM ini."}


def test_mixed_batch_stores_the_valid_records_and_reports_the_others(faskel):
    tk1, worker = ksm(), demo_worker()
    records = [
        worker_record(tk1.id),  # created
        worker_record(tk1.id, nik="5271051203850000"),  # invalid
        attendance(tk1.id, worker.uuid, "2021-05-03"),  # created
        attendance(tk1.id, worker.uuid, "2999-05-03"),  # invalid
        attendance(tk1.id, worker.uuid, "2021-04-20"),  # conflict with the demo's day
        worker_record(ksm("Kebon Sari").id, nik=nik(serial=3)),  # forbidden
        "not a record",  # invalid
        attendance(tk1.id, demo_worker("Supardi").uuid, "2021-05-03"),  # created
    ]
    before = counts()
    results = send(faskel, *records)
    assert [r["uuid"] for r in results] == [r["uuid"] if isinstance(r, dict) else None for r in records]
    assert [r["status"] for r in results] == [
        "created",
        "invalid",
        "created",
        "invalid",
        "conflict",
        "forbidden",
        "invalid",
        "created",
    ]
    assert counts() == {
        "Worker": before["Worker"] + 1,
        "Attendance": before["Attendance"] + 2,
        "Conflict": before["Conflict"] + 1,
    }
    stored = {w.uuid for w in db.session.scalars(db.select(Worker))} | {
        a.uuid for a in db.session.scalars(db.select(Attendance))
    }
    for record, result in zip(records, results, strict=True):
        if isinstance(record, dict):
            assert (record["uuid"] in stored) is (result["status"] == "created"), result


def test_results_keep_the_request_order(faskel):
    tk1 = ksm()
    workers = [worker_record(tk1.id, nik=nik(serial=n), name=f"Pekerja {n}") for n in range(1, 21)]
    results = send(faskel, *reversed(workers))
    assert [r["uuid"] for r in results] == [w["uuid"] for w in reversed(workers)]
    ids = [r["id"] for r in results]
    assert ids == sorted(ids)  # stored in the order sent
    assert [db.session.get(Worker, i).name for i in ids] == [w["data"]["name"] for w in reversed(workers)]


def test_an_empty_batch(faskel):
    response = faskel.sync([])
    assert response.status_code == 200
    assert response.get_json() == {"results": []}


@pytest.mark.parametrize("uuid", [[], {"a": 1}])
def test_unhashable_uuid_next_to_a_valid_record(faskel, uuid):
    valid = worker_record(ksm().id)
    results = send(faskel, valid, {**worker_record(ksm().id, nik=nik(serial=2)), "uuid": uuid})
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert results[1] == {
        "uuid": None,
        "status": "invalid",
        "errors": {"uuid": "UUID tidak ada atau tidak valid."},
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["2021-05-03", "2999-01-01", "L", "P", "pekerja", nik(), new_uuid()]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)


@st.composite
def mangled_records(draw):
    """A valid worker or attendance record with some of its fields replaced by any JSON value."""
    if draw(st.booleans()):
        record = worker_record(
            draw(st.sampled_from([1, 2, 3, 25])), nik=nik(serial=draw(st.integers(1, 9999)))
        )
    else:
        record = attendance(1, draw(st.sampled_from([new_uuid(), "demo"])))
    fields = sorted(record["data"])
    for field in draw(st.lists(st.sampled_from(fields), max_size=3, unique=True)):
        record["data"][field] = draw(json_values)
    for key in draw(st.lists(st.sampled_from(["uuid", "kind", "recorded_at", "data"]), max_size=1)):
        record[key] = draw(json_values)
    return record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(mangled_records(), min_size=1, max_size=4))
def test_any_json_in_the_fields_gets_an_answer_never_a_500(faskel, records):
    demo_uuid = demo_worker().uuid
    for record in records:
        data = record.get("data")
        if isinstance(data, dict) and data.get("worker_uuid") == "demo":
            data["worker_uuid"] = demo_uuid
    response = faskel.sync(records)
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == len(records)
    for result in results:
        assert result["status"] in {"created", "duplicate", "conflict", "invalid", "forbidden"}
        if result["status"] in ("created", "duplicate"):
            assert isinstance(result["id"], int)
        else:
            assert "id" not in result
            assert result["errors"] and all(isinstance(m, str) and m for m in result["errors"].values())


# --- request level ----------------------------------------------------------------------------------


def assert_json_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert "Location" not in response.headers


def test_not_signed_in_is_401_json(demo, client, auth):
    record = worker_record(ksm().id)
    with_token = client.post("/api/sync", json={"records": [record]}, headers={"X-CSRFToken": auth.token()})
    assert_json_error(with_token, 401)
    assert with_token.get_json()["error"] == "Silakan masuk terlebih dahulu."
    without_token = client.post("/api/sync", json={"records": [record]})
    assert_json_error(without_token, 401)
    bad_token = client.post("/api/sync", json={"records": [record]}, headers={"X-CSRFToken": "nope"})
    assert_json_error(bad_token, 401)
    assert count(Worker, Worker.uuid == record["uuid"]) == 0


def test_signed_out_is_401_json(faskel, client):
    faskel.logout()
    assert_json_error(faskel.sync([worker_record(ksm().id)]), 401)


def test_signed_in_without_csrf_token_is_400_json(faskel, client):
    record = worker_record(ksm().id)
    assert_json_error(client.post("/api/sync", json={"records": [record]}), 400)
    assert_json_error(client.post("/api/sync", json={"records": [record]}, headers={"X-CSRFToken": "x"}), 400)
    other = client.application.test_client()
    foreign_token = other.get("/api/csrf").get_json()["csrf_token"]
    assert_json_error(
        client.post("/api/sync", json={"records": [record]}, headers={"X-CSRFToken": foreign_token}), 400
    )
    assert count(Worker, Worker.uuid == record["uuid"]) == 0


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"records": [', b"", b"\xff\xfe", b'{"records": [] } trailing'],
    ids=["broken", "truncated", "empty", "not utf-8", "trailing"],
)
def test_malformed_json_is_400_json(faskel, client, body):
    response = client.post(
        "/api/sync", data=body, content_type="application/json", headers={"X-CSRFToken": faskel.token()}
    )
    assert_json_error(response, 400)
    assert response.get_json()["error"] == 'Badan permintaan harus JSON: {"records": [...]}.'


def test_deeply_nested_json_is_400_json(faskel, client):
    response = client.post(
        "/api/sync",
        data=b"[" * 100_000,
        content_type="application/json",
        headers={"X-CSRFToken": faskel.token()},
    )
    assert_json_error(response, 400)


def test_json_sent_as_text_plain_is_400(faskel, client):
    response = client.post(
        "/api/sync",
        data='{"records": []}',
        content_type="text/plain",
        headers={"X-CSRFToken": faskel.token()},
    )
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    "body", [{}, {"records": {}}, {"records": "x"}, {"records": None}, {"record": []}, [], "records", 5]
)
def test_records_must_be_a_list(faskel, client, body):
    response = client.post("/api/sync", json=body, headers={"X-CSRFToken": faskel.token()})
    assert_json_error(response, 400)


def test_more_than_500_records_is_413(faskel):
    tk1 = ksm()
    records = [worker_record(tk1.id, nik=nik(serial=n), name=f"P{n}") for n in range(1, 502)]
    before = counts()
    response = faskel.sync(records)
    assert_json_error(response, 413)
    assert "500" in response.get_json()["error"]
    assert counts() == before


def test_500_records_are_accepted(faskel):
    tk1 = ksm()
    records = [worker_record(tk1.id, nik=nik(serial=n), name=f"P{n}") for n in range(1, 501)]
    results = send(faskel, *records)
    assert {r["status"] for r in results} == {"created"}
    assert count(Worker, Worker.ksm_id == tk1.id) == 12 + 500


def test_body_over_max_content_length_is_413_json(faskel, client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit
    padding = "x" * (limit + 1)
    record = worker_record(ksm().id, notes=padding)
    before = counts()
    response = client.post("/api/sync", json={"records": [record]}, headers={"X-CSRFToken": faskel.token()})
    assert_json_error(response, 413)
    assert counts() == before


def test_other_methods_answer_json(faskel, client):
    response = client.get("/api/sync")
    assert_json_error(response, 405)


# --- the constraints behind the engine ---------------------------------------------------------------


def synced(model, **values):
    row = model(**values)
    row.uuid = values.pop("uuid", None) or new_uuid()
    row.payload_hash = "0" * 64
    row.created_by_id = user("faskel").id
    return row


def assert_rejected(row):
    db.session.add(row)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def worker_like(stored, **values):
    fields = {
        c: getattr(stored, c)
        for c in ("ksm_id", "nik", "name", "gender", "birth_date", "category", "season", "breadwinner")
    }
    return synced(Worker, **{**fields, **values})


def test_one_attendance_per_worker_and_day(demo):
    worker = demo_worker()
    assert_rejected(
        synced(
            Attendance, ksm_id=worker.ksm_id, worker_id=worker.id, work_date=date(2021, 4, 20), present=True
        )
    )
    db.session.add(
        synced(
            Attendance,
            ksm_id=worker.ksm_id,
            worker_id=demo_worker().id,
            work_date=date(2021, 5, 3),
            present=True,
        )
    )
    db.session.flush()  # another day is fine


def test_one_worker_per_nik_and_season(demo):
    stored = demo_worker()
    assert_rejected(worker_like(stored, ksm_id=ksm(number=2).id))
    db.session.add(worker_like(demo_worker(), season=2022))
    db.session.flush()  # the same person next season is fine


def test_uuids_are_unique(demo):
    stored = demo_worker()
    assert_rejected(worker_like(stored, nik=nik(), uuid=stored.uuid))
    day = db.session.scalars(db.select(Attendance).limit(1)).one()
    assert_rejected(
        synced(
            Attendance,
            ksm_id=day.ksm_id,
            worker_id=day.worker_id,
            work_date=date(2021, 5, 3),
            present=True,
            uuid=day.uuid,
        )
    )


def test_one_conflict_per_uuid_and_payload(demo):
    kelurahan_id = ksm().kelurahan_id
    values = {
        "uuid": new_uuid(),
        "kind": "attendance",
        "data": {},
        "payload_hash": "1" * 64,
        "created_by_id": user("faskel").id,
        "kelurahan_id": kelurahan_id,
        "reason": "uji",
        "existing_kind": "attendance",
        "existing_uuid": new_uuid(),
        "existing_id": 1,
    }
    db.session.add(Conflict(**values))
    db.session.flush()
    assert_rejected(Conflict(**values))


# --- a lost race ------------------------------------------------------------------------------------


class Lost(Exception):
    """A driver error as psycopg raises it, with its SQLSTATE."""

    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])  # deadlock_detected, serialization_failure
def test_a_batch_that_loses_a_deadlock_runs_again(faskel, monkeypatch, sqlstate):
    """PostgreSQL ends a deadlock between two batches (the hok_daily counters of one KSM, updated in
    another order: the chaos bench saw 25 a run) by failing one of them: it runs again, as after a
    unique-constraint race, instead of answering 500."""
    insert, failures = engine._insert_pending, []

    def lose_once(batch):
        if not failures:
            failures.append(sqlstate)
            raise OperationalError("INSERT INTO attendance ...", {}, Lost(sqlstate))
        insert(batch)

    monkeypatch.setattr(engine, "_insert_pending", lose_once)
    record = attendance(ksm().id, demo_worker().uuid)
    assert send_one(faskel, record)["status"] == "created"
    assert failures == [sqlstate]
    assert count(Attendance, Attendance.uuid == record["uuid"]) == 1


def test_other_database_errors_are_not_run_again(faskel, monkeypatch):
    calls = []

    def fail(batch):
        calls.append(batch)
        raise OperationalError("INSERT INTO attendance ...", {}, Lost("57014"))  # query_canceled

    monkeypatch.setattr(engine, "_insert_pending", fail)
    assert faskel.sync([attendance(ksm().id, demo_worker().uuid)]).status_code == 500
    assert len(calls) == 1


def test_a_batch_waits_for_another_writer_of_its_ksm(app, faskel):
    """Batches of one KSM take turns (on PostgreSQL the KSM's row, `engine._lock_ksms`; on SQLite the
    write lock): none can lock the KSM's dashboard counters in another order than the other."""
    ksm_id = ksm().id
    record = attendance(ksm_id, demo_worker().uuid)
    db.session.commit()  # the test's own transaction would hold SQLite's write lock
    answers = []

    def send_alone():
        with app.app_context():
            answers.append(faskel.sync([record]).get_json()["results"][0]["status"])

    with db.engine.connect() as other, other.begin():  # another batch of the KSM, under way
        other.execute(db.select(Ksm.id).where(Ksm.id == ksm_id).with_for_update(key_share=True)).all()
        thread = threading.Thread(target=send_alone)
        thread.start()
        thread.join(timeout=2)
        assert thread.is_alive() and answers == []  # waiting for its turn
    thread.join(timeout=30)
    assert answers == ["created"]


def test_new_rows_leave_out_none_so_that_column_defaults_apply():
    # The engine inserts with the table's Core INSERT; as the ORM's bulk insert did before, a None
    # means "the column's default" (a worker is active), except in a JSON column (JSON null).
    from kotaku_pwa.records.fields import New

    workers = [New(Worker, name="A", active=None), New(Worker, name="B", active=False)]
    without, with_active = engine._values_by_shape(Worker, workers)
    assert without == [{"name": "A"}] and with_active == [{"name": "B", "active": False}]
    (conflicts,) = engine._values_by_shape(Conflict, [New(Conflict, uuid="u", data=None)])
    assert conflicts == [{"uuid": "u", "data": None}]
    # Only consecutive rows share an INSERT: the ids keep the order the records came in.
    a, b, c = (New(Worker, name=n, active=active) for n, active in (("A", None), ("B", False), ("C", None)))
    runs = engine._values_by_shape(Worker, [a, b, c])
    assert [[r["name"] for r in run] for run in runs] == [["A"], ["B"], ["C"]]
