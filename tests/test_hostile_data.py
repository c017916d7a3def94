"""Issue 11, items 5, 6, 7 and 11: hostile text, the phone's clock, unknown keys and conflict
flooding, and what a conflict answer tells about records outside the user's scope. HTTP through
/api/sync; runs on SQLite and on PostgreSQL (TEST_DATABASE_URL), where a NUL once failed a batch."""

from datetime import date, datetime, timedelta

import pytest

from kotaku_pwa.models import Conflict, Meeting, Worker
from kotaku_pwa.records.registry import KINDS
from kotaku_pwa.safetext import CONTROL_MESSAGE, LINE_MESSAGE, text_problem
from tests.conftest import Auth
from tests.factories import (
    PASSWORD,
    make_kelurahan,
    make_kota,
    make_ksm,
    make_user,
    new_uuid,
    nik,
    worker_record,
)
from tests.test_sync import count, counts, ksm, send, send_one, sign_in


@pytest.fixture
def faskel(demo, auth):
    return sign_in(auth, "faskel")


# --- item 5: control characters and bidi overrides -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Budi\x00", "Bu\x1bdi", "Budi\x7f", "Bu\x85di", "Budi \u202eharjo", "\u2066Budi\u2069", "Budi\u200f"],
)
def test_text_problem_refuses_controls_and_bidi(text):
    assert text_problem(text) == CONTROL_MESSAGE
    assert text_problem(text, multiline=True) == CONTROL_MESSAGE


def test_text_problem_line_breaks_only_in_multiline_text():
    assert text_problem("Budi Santoso") is None
    assert text_problem("Baiq Nur’aini") is None  # ordinary punctuation and letters stay
    assert text_problem("baris 1\nbaris 2\tkolom") == LINE_MESSAGE
    assert text_problem("baris 1\r\nbaris 2\tkolom", multiline=True) is None


@pytest.mark.parametrize(
    "name", ["Budi\x00Santoso", "Budi\x1b[31mSantoso", "Budi \u202eosotnaS", "Budi\nSantoso"]
)
def test_worker_name_with_hostile_text_is_invalid(faskel, name):
    before = counts()
    result = send_one(faskel, worker_record(ksm().id, name=name))
    assert result["status"] == "invalid"
    assert set(result["errors"]) == {"name"}
    assert result["errors"]["name"] in (CONTROL_MESSAGE, LINE_MESSAGE)
    assert counts() == before


def test_one_nul_record_never_fails_its_batch(faskel):
    """On PostgreSQL a NUL in one record made the whole batch answer 500."""
    tk1 = ksm()
    records = [
        worker_record(tk1.id, nik=nik(serial=11), name="Satu"),
        worker_record(tk1.id, nik=nik(serial=12), name="Du\x00a"),
        worker_record(tk1.id, nik=nik(serial=13), name="Tiga"),
    ]
    results = send(faskel, *records)
    assert [r["status"] for r in results] == ["created", "invalid", "created"]
    assert results[1]["errors"] == {"name": CONTROL_MESSAGE}
    assert count(Worker, Worker.name.in_(["Satu", "Tiga"])) == 2


def test_nul_in_a_field_not_read_as_text_is_invalid(faskel):
    record = worker_record(ksm().id)
    record["data"]["gender"] = "L\x00"
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert result["errors"] == {"gender": CONTROL_MESSAGE}


def meeting_record(kelurahan_id, **data):
    values = {
        "kelurahan_id": kelurahan_id,
        "type": "sosialisasi",
        "held_on": "2021-04-20",
        "place": "Kantor Lurah",
        "attendees": [{"name": "Siti", "gender": "P", "role": "warga"}],
    }
    values.update(data)
    return {"uuid": new_uuid(), "kind": "meeting", "recorded_at": "2021-04-20T16:00:00+08:00", "data": values}


def test_meeting_notes_keep_line_breaks_but_not_controls(faskel):
    kelurahan_id = ksm().kelurahan_id
    assert (
        send_one(faskel, meeting_record(kelurahan_id, notes="Baris satu\nBaris dua"))["status"] == "created"
    )
    result = send_one(faskel, meeting_record(kelurahan_id, notes="Catatan\x1b"))
    assert result["status"] == "invalid"
    assert result["errors"] == {"notes": CONTROL_MESSAGE}


def test_attendee_name_with_bidi_override_is_invalid(faskel):
    people = [
        {"name": "Siti", "gender": "P", "role": "warga"},
        {"name": "A\u202eB", "gender": "L", "role": "warga"},
    ]
    before = count(Meeting)
    result = send_one(faskel, meeting_record(ksm().kelurahan_id, attendees=people))
    assert result["status"] == "invalid"
    assert "attendees" in result["errors"]
    assert count(Meeting) == before


# --- item 6: recorded_at is bounded ----------------------------------------------------------------


def test_an_eleven_year_old_backdated_to_1990_is_refused(faskel):
    record = {
        **worker_record(ksm().id, nik=nik(born=date(2010, 1, 15))),
        "recorded_at": "1990-06-01T08:00:00+08:00",
    }
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert "recorded_at" in result["errors"]
    assert "sebelum masa program" in result["errors"]["recorded_at"]
    assert count(Worker, Worker.nik == record["data"]["nik"]) == 0


def test_recorded_at_in_2999_is_refused(faskel):
    result = send_one(faskel, {**worker_record(ksm().id), "recorded_at": "2999-01-01T08:00:00+08:00"})
    assert result["status"] == "invalid"
    assert "di masa depan" in result["errors"]["recorded_at"]


def test_recorded_at_a_few_minutes_ahead_is_a_phone_clock(faskel):
    ahead = (datetime.now().astimezone() + timedelta(minutes=5)).isoformat()
    result = send_one(faskel, {**worker_record(ksm().id), "recorded_at": ahead})
    assert result["status"] == "created"
    too_far = (datetime.now().astimezone() + timedelta(minutes=30)).isoformat()
    result = send_one(faskel, {**worker_record(ksm().id, nik=nik(serial=2)), "recorded_at": too_far})
    assert result["status"] == "invalid"


def test_programme_start_is_configurable(faskel, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROGRAMME_START", date(2021, 5, 1))
    result = send_one(faskel, worker_record(ksm().id))  # recorded 16 April 2021
    assert result["status"] == "invalid"
    assert result["errors"]["recorded_at"].startswith("Waktu pencatatan sebelum masa program (01-05-2021)")


# --- item 7: unknown keys, conflict caps -----------------------------------------------------------


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_declares_its_fields(name):
    # Every key a kind's build reads is declared: a record with all of them is never "unknown key".
    kind = KINDS[name]
    assert kind.fields and "ksm_id" in kind.fields | {"ksm_id"}
    assert kind.unknown_keys(dict.fromkeys(kind.fields)) == {}
    assert kind.unknown_keys({"surplus": 1}) == {"surplus": "Kolom tidak dikenal untuk jenis data ini."}


def test_an_unknown_key_is_refused_and_never_stored(faskel):
    record = worker_record(ksm().id, padding="x" * 100_000)
    before = counts()
    result = send_one(faskel, record)
    assert result["status"] == "invalid"
    assert result["errors"] == {"padding": "Kolom tidak dikenal untuk jenis data ini."}
    assert counts() == before


def test_an_unknown_key_on_a_resent_uuid_is_not_kept_as_conflict(faskel):
    record = worker_record(ksm().id)
    assert send_one(faskel, record)["status"] == "created"
    again = {**record, "data": {**record["data"], "extra": "y" * 1000}}
    assert send_one(faskel, again)["status"] == "invalid"
    assert count(Conflict) == 0


def test_conflicts_per_uuid_are_capped(faskel):
    record = worker_record(ksm().id)
    assert send_one(faskel, record)["status"] == "created"
    resends = [{**record, "data": {**record["data"], "name": f"Nama {i}"}} for i in range(10)]
    results = send(faskel, *resends)
    assert {r["status"] for r in results} == {"conflict"}
    assert count(Conflict, Conflict.uuid == record["uuid"]) == 3


def test_conflicts_per_user_per_day_are_capped(faskel, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONFLICTS_PER_USER_PER_DAY", 4)
    tk1 = ksm()
    stored = [worker_record(tk1.id, nik=nik(serial=20 + i), name=f"Pekerja {i}") for i in range(6)]
    assert {r["status"] for r in send(faskel, *stored)} == {"created"}
    clashes = [{**r, "data": {**r["data"], "name": "Lain"}} for r in stored]
    results = send(faskel, *clashes[:3])
    results += send(faskel, *clashes[3:])  # the count spans batches
    assert [r["status"] for r in results] == ["conflict"] * 6
    assert count(Conflict) == 4


# --- item 11: out-of-scope probing -----------------------------------------------------------------


@pytest.fixture
def other_kota_worker(demo, app):
    """A worker registered in a KSM of another kota, by its own facilitator."""
    kelurahan = make_kelurahan("Dara", kota=make_kota("Bima"), kecamatan_name="Rasanae Barat")
    far = make_ksm(kelurahan, name="KSM Dara 1")
    user = make_user("fasilitator", kelurahan=[kelurahan])
    other = Auth(app.test_client())
    assert other.login(user.username, PASSWORD).status_code == 302
    record = worker_record(far.id, nik=nik(serial=77))
    assert send_one(other, record)["status"] == "created"
    return record


def test_a_nik_clash_outside_scope_names_only_the_kind(faskel, other_kota_worker):
    record = worker_record(ksm().id, nik=other_kota_worker["data"]["nik"])
    result = send_one(faskel, record)
    assert result["status"] == "conflict"
    assert result["existing"] == {"kind": "worker"}
    assert other_kota_worker["uuid"] not in str(result)
    assert send_one(faskel, record)["existing"] == {"kind": "worker"}  # the resend too


def test_a_nik_clash_inside_scope_still_names_the_record(faskel):
    first = worker_record(ksm().id, nik=nik(serial=88))
    stored = send_one(faskel, first)
    result = send_one(faskel, worker_record(ksm(number=2).id, nik=nik(serial=88)))
    assert result["existing"] == {"kind": "worker", "uuid": first["uuid"], "id": stored["id"]}


def test_unknown_and_other_ksm_workers_get_one_message(faskel, other_kota_worker):
    tk1 = ksm()
    far = {"ksm_id": tk1.id, "work_date": "2021-05-03", "present": True}
    results = send(
        faskel,
        *[
            {
                "uuid": new_uuid(),
                "kind": "attendance",
                "recorded_at": "2021-05-03T16:00:00+08:00",
                "data": {**far, "worker_uuid": u},
            }
            for u in (other_kota_worker["uuid"], new_uuid())
        ],
    )
    assert (
        results[0]["errors"] == results[1]["errors"] == {"worker_uuid": "Pekerja tidak dikenal di KSM ini."}
    )


# --- item 5 in the admin forms ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Lombok\x00Barat", "Lombok \u202eBarat", "Lombok\x1bBarat"])
def test_admin_text_fields_refuse_hostile_text(demo, auth, client, name):
    from kotaku_pwa.models import Kota

    sign_in(auth, "admin")
    before = count(Kota)
    page = auth.post(
        "/admin/kota/new", name=name, wage_pekerja="75000", wage_tukang="85000", wage_mandor="95000"
    )
    assert page.status_code == 400  # the form again, with the message on the field
    assert CONTROL_MESSAGE in page.get_data(as_text=True)
    assert count(Kota) == before


def test_a_meeting_elsewhere_and_an_unknown_meeting_get_one_message(faskel, app):
    kelurahan = make_kelurahan("Dara", kota=make_kota("Bima"), kecamatan_name="Rasanae Barat")
    user = make_user("fasilitator", kelurahan=[kelurahan])
    other = Auth(app.test_client())
    assert other.login(user.username, PASSWORD).status_code == 302
    far = meeting_record(kelurahan.id)
    assert send_one(other, far)["status"] == "created"
    tk1 = ksm()

    def check(meeting_uuid):
        data = {
            "kelurahan_id": tk1.kelurahan_id,
            "meeting_uuid": meeting_uuid,
            "setting": "meeting",
            "checked_on": "2021-04-20",
            "people_present": 1,
            "masks_worn": 1,
            "fever_cases": 0,
            "distancing": True,
            "handwash_soap": True,
            "temperature_checked": True,
        }
        return {"uuid": new_uuid(), "kind": "health_check", "data": data}

    elsewhere, unknown = send(faskel, check(far["uuid"]), check(new_uuid()))
    assert elsewhere["status"] == unknown["status"] == "invalid"
    assert elsewhere["errors"] == unknown["errors"]
    assert set(elsewhere["errors"]) == {"meeting_uuid"}


def test_an_unknown_key_inside_an_attendee_is_refused(faskel):
    people = [{"name": "Siti", "gender": "P", "role": "warga", "padding": "x" * 10_000}]
    result = send_one(faskel, meeting_record(ksm().kelurahan_id, attendees=people))
    assert result["status"] == "invalid"
    assert result["errors"] == {"attendees": "Peserta baris 1: kolom tidak dikenal: padding."}
