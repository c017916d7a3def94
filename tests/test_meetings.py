"""Meetings and health-protocol checks (issue 5): the two record kinds through POST /api/sync, their
pages (list, detail, daftar hadir, forms, photo) and the dashboard CSV. Uses the demo data: the faskel
works in Tanjung Karang and Pagutan; Kebon Sari is outside their scope."""

import base64
import csv
import io

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import Conflict, HealthCheck, Kelurahan, Ksm, Meeting, MeetingAttendee

from .factories import image_of, jpeg_data_url, new_uuid, sync

JPEG = jpeg_data_url()  # a real image: the server re-encodes what it stores
BIG_JPEG = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 210_000).decode()
GIF = "data:image/gif;base64," + base64.b64encode(b"GIF89a" + b"\0" * 20).decode()
PEOPLE = [
    {"name": "Lalu Muhammad Saleh", "gender": "L", "role": "ksm"},
    {"name": "Baiq Nurul Aini", "gender": "P", "role": "ksm"},
    {"name": "Sri Wahyuni", "gender": "P", "role": "ksm"},
    {"name": "H. Lalu Sudirman", "gender": "L", "role": "kelurahan"},
]


def kelurahan(name="Tanjung Karang") -> Kelurahan:
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


def ksm(name="KSM Tanjung Karang 1") -> Ksm:
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()


def meeting(where="Tanjung Karang", uuid=None, **data):
    """A coaching KSM meeting record of KSM <where> 1, with four attendees."""
    group = ksm(f"KSM {where} 1")
    values = {
        "kelurahan_id": group.kelurahan_id,
        "ksm_id": group.id,
        "type": "coaching_ksm",
        "programme": "CFW",
        "held_on": "2021-04-12",
        "place": "Aula Kantor Lurah",
        "team": "Rina Marlina",
        "notes": "",
        "topics": ["concept", "funds", "lpj"],
        "outcomes": [],
        "attendees": PEOPLE,
    }
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "meeting",
        "recorded_at": "2021-04-12T11:00:00+08:00",
        "data": values,
    }


def health(record=None, uuid=None, **data):
    """A health check of the meeting `record`, or (without one) of a work day of KSM Tanjung Karang 1."""
    if record:
        source = record["data"]
        values = {
            "kelurahan_id": source["kelurahan_id"],
            "ksm_id": source["ksm_id"],
            "meeting_uuid": record["uuid"],
            "checked_on": source["held_on"],
            "setting": "meeting",
            "temperature_checked": True,
        }
    else:
        group = ksm()
        values = {
            "kelurahan_id": group.kelurahan_id,
            "ksm_id": group.id,
            "checked_on": "2021-04-20",
            "setting": "worksite",
            "temp_morning": True,
            "temp_noon": True,
            "temp_afternoon": True,
            "apd_workers": True,
        }
    values.update(
        people_present=4, masks_worn=4, distancing=True, handwash_soap=True, fever_cases=0, notes=""
    )
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "health_check",
        "recorded_at": "2021-04-12T11:00:00+08:00",
        "data": values,
    }


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


STORED = (Meeting, MeetingAttendee, HealthCheck, Conflict)
BASE = {}  # rows of the demo data (its DFAT sosialisasi and TIPP meetings), not counted by stored()


@pytest.fixture(autouse=True)
def _no_base():
    BASE.clear()


@pytest.fixture
def demo(demo):
    """The demo data; what it already holds is the baseline stored() counts from."""
    BASE.update({model: count(model) for model in STORED})
    return demo


def stored():
    """Meetings, attendees, health checks and conflicts recorded by the test itself."""
    return tuple(count(model) - BASE.get(model, 0) for model in STORED)


@pytest.fixture
def faskel(demo, auth):
    assert auth.login("faskel").status_code == 302
    return auth


# --- meetings through the sync API ------------------------------------------------------------------


def test_a_coaching_ksm_with_its_attendance_list_is_stored_once(faskel):
    record = meeting(photo=JPEG, photo_lat=-8.5946, photo_lon=116.0936, photo_accuracy=12.5)
    [result] = sync(faskel, record)
    assert result["status"] == "created"
    row = db.session.get(Meeting, result["id"])
    assert (row.type, row.programme, row.place, row.ksm_id) == (
        "coaching_ksm",
        "CFW",
        "Aula Kantor Lurah",
        ksm().id,
    )
    assert row.topics == ["concept", "funds", "lpj"]
    assert [(a.position, a.name, a.gender, a.role) for a in row.attendees] == [
        (i, p["name"], p["gender"], p["role"]) for i, p in enumerate(PEOPLE, start=1)
    ]
    assert image_of(row).startswith(b"\xff\xd8\xff")
    assert (row.photo_lat, row.photo_lon, row.photo_accuracy) == (-8.5946, 116.0936, 12.5)
    assert sync(faskel, record) == [{"uuid": record["uuid"], "status": "duplicate", "id": result["id"]}]
    assert stored() == (1, 4, 0, 0)


def test_codes_come_back_in_the_vocabulary_order_once_each(faskel):
    record = meeting(
        type="mp2k", topics=["lpj", "concept", "lpj"], outcomes=["assets_maintained", "proposal_plan"]
    )
    [result] = sync(faskel, record)
    row = db.session.get(Meeting, result["id"])
    assert (row.topics, row.outcomes) == (["concept", "lpj"], ["proposal_plan", "assets_maintained"])


def test_a_tipp_meeting_keeps_the_tipp_positions(faskel):
    people = [
        {"name": "Ahmad Fauzi", "gender": "L", "role": "tipp", "tipp_role": "ketua"},
        {"name": "Siti Aminah", "gender": "P", "role": "tipp", "tipp_role": "sekretaris"},
        {"name": "Warga Satu", "gender": "P", "role": "warga", "tipp_role": ""},
    ]
    [result] = sync(faskel, meeting(type="tipp", ksm_id=None, topics=[], attendees=people))
    assert result["status"] == "created"
    row = db.session.get(Meeting, result["id"])
    assert [a.tipp_role for a in row.attendees] == ["ketua", "sekretaris", None]
    assert row.ksm_id is None


TOO_MANY = [{"name": f"Warga {i}", "gender": "L", "role": "warga"} for i in range(501)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "arisan"}, "type"),
        ({"type": None}, "type"),
        ({"programme": "PNPM"}, "programme"),
        ({"topics": ["concept", "gotong_royong"]}, "topics"),
        ({"topics": "concept"}, "topics"),
        ({"type": "sosialisasi"}, "topics"),  # coaching topics belong to coaching KSM and MP2K
        ({"outcomes": ["proposal_plan"]}, "outcomes"),  # MP2K outcomes on a coaching KSM
        ({"type": "mp2k", "outcomes": ["semua_beres"]}, "outcomes"),
        ({"held_on": "2099-04-12"}, "held_on"),
        ({"held_on": "12/04/2021"}, "held_on"),
        ({"held_on": "2021-02-30"}, "held_on"),
        ({"place": "   "}, "place"),
        ({"place": None}, "place"),
        ({"attendees": "Budi, Siti"}, "attendees"),
        ({"attendees": [*PEOPLE, "Budi"]}, "attendees"),
        ({"attendees": [*PEOPLE, {"gender": "L", "role": "warga"}]}, "attendees"),
        ({"attendees": [*PEOPLE, {"name": "Budi", "gender": "X", "role": "warga"}]}, "attendees"),
        ({"attendees": [*PEOPLE, {"name": "Budi", "gender": ["L"], "role": "warga"}]}, "attendees"),
        ({"attendees": [*PEOPLE, {"name": "Budi", "gender": "L", "role": "camat"}]}, "attendees"),
        ({"attendees": [{"name": "Budi", "gender": "L", "role": "tipp", "tipp_role": "wakil"}]}, "attendees"),
        (
            {"attendees": [{"name": "Budi", "gender": "L", "role": "warga", "tipp_role": "ketua"}]},
            "attendees",
        ),
        ({"attendees": TOO_MANY}, "attendees"),
        ({"photo": GIF}, "photo"),
        ({"photo": BIG_JPEG}, "photo"),
        ({"photo": "bukan foto"}, "photo"),
        ({"photo_lat": 91}, "photo_lat"),
        ({"photo_lon": "116.09"}, "photo_lon"),
        ({"photo_accuracy": -1}, "photo_accuracy"),
        ({"kelurahan_id": 999_999}, "kelurahan_id"),
        ({"kelurahan_id": "1"}, "kelurahan_id"),
        ({"ksm_id": 999_999}, "ksm_id"),
    ],
)
def test_bad_meetings_are_refused_in_indonesian_and_nothing_is_stored(faskel, change, field):
    [result] = sync(faskel, meeting(**change))
    assert result["status"] == "invalid", result
    assert result["errors"][field]
    assert "id" not in result
    assert stored() == (0, 0, 0, 0)


def test_a_ksm_of_another_kelurahan_is_refused(faskel):
    [result] = sync(faskel, meeting(ksm_id=ksm("KSM Pagutan 1").id))  # both in the faskel's scope
    assert result["status"] == "invalid"
    assert result["errors"] == {"ksm_id": "KSM ini bukan bagian dari kelurahan tersebut."}


def test_an_attendee_without_a_name_is_named_by_row_number(faskel):
    people = [*PEOPLE[:2], {"name": " ", "gender": "P", "role": "warga"}, {"gender": "L", "role": "warga"}]
    [result] = sync(faskel, meeting(attendees=people))
    assert result["errors"]["attendees"] == "Peserta baris 3: nama wajib diisi; baris 4: nama wajib diisi."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"held_on": "2099-04-12"}, "Tanggal pertemuan tidak boleh di masa depan."),
        ({"type": "sosialisasi"}, "Topik coaching tidak dicatat untuk jenis pertemuan ini."),
        ({"topics": ["tujuan"]}, "Kode tidak dikenal: tujuan."),
        ({"attendees": TOO_MANY}, "Paling banyak 500 peserta per pertemuan."),
        ({"kelurahan_id": 999_999}, "Kelurahan tidak dikenal."),
    ],
)
def test_the_messages_say_what_to_fix(faskel, change, message):
    [result] = sync(faskel, meeting(**change))
    assert message in result["errors"].values()


# --- health checks ----------------------------------------------------------------------------------


def test_a_meeting_and_its_health_check_in_one_batch_are_stored_and_linked(faskel):
    record = meeting()
    check = health(record, masks_worn=3, fever_cases=1)
    first, second = sync(faskel, record, check)
    assert (first["status"], second["status"]) == ("created", "created")
    row = db.session.get(HealthCheck, second["id"])
    assert row.meeting_id == first["id"]
    assert db.session.get(Meeting, first["id"]).health_check.id == row.id
    assert (row.setting, row.people_present, row.masks_worn, row.fever_cases) == ("meeting", 4, 3, 1)
    assert stored() == (1, 4, 1, 0)


def test_a_health_check_before_its_meeting_is_refused(faskel):
    record = meeting()
    check, created = sync(faskel, health(record), record)
    assert check["status"] == "invalid" and "meeting_uuid" in check["errors"]
    assert created["status"] == "created"


def test_a_second_health_check_for_the_same_meeting_is_a_conflict(faskel):
    record = meeting()
    _, first = sync(faskel, record, health(record))
    [second] = sync(faskel, health(record, masks_worn=2))
    assert second["status"] == "conflict"
    assert second["existing"] == {"kind": "health_check", "uuid": first["uuid"], "id": first["id"]}
    assert count(HealthCheck) == 1
    kept = db.session.scalars(db.select(Conflict)).one()
    assert (kept.kind, kept.reason) == (
        "health_check",
        "Pemeriksaan protokol kesehatan untuk pertemuan ini sudah tercatat.",
    )


def test_two_checks_for_one_new_meeting_in_one_batch_keep_the_first(faskel):
    record = meeting()
    _, first, second = sync(faskel, record, health(record), health(record, masks_worn=1))
    assert (first["status"], second["status"]) == ("created", "conflict")
    assert second["existing"]["uuid"] == first["uuid"]
    assert stored() == (1, 4, 1, 1)


def test_a_work_site_check_counts_its_temperature_rounds(faskel):
    [result] = sync(faskel, health(temp_noon=False))
    row = db.session.get(HealthCheck, result["id"])
    assert (row.setting, row.temp_morning, row.temp_noon, row.temperature_checked) == (
        "worksite",
        True,
        False,
        True,
    )
    assert row.meeting_id is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"masks_worn": 5}, "masks_worn"),
        ({"fever_cases": 5}, "fever_cases"),
        ({"people_present": -1}, "people_present"),
        ({"people_present": "empat"}, "people_present"),
        ({"masks_worn": 2.5}, "masks_worn"),
        ({"distancing": "ya"}, "distancing"),
        ({"handwash_soap": None}, "handwash_soap"),
        ({"checked_on": "2099-01-01"}, "checked_on"),
        ({"checked_on": "kemarin"}, "checked_on"),
        ({"setting": "rumah"}, "setting"),
        ({"ksm_id": None}, "ksm_id"),  # a work-site check belongs to one KSM
        ({"meeting_uuid": "6f1d2c1e-0000-4000-8000-000000000000", "setting": "meeting"}, "meeting_uuid"),
        ({"meeting_uuid": "bukan-uuid"}, "meeting_uuid"),
        ({"ksm_id": 999_999}, "ksm_id"),
    ],
)
def test_bad_health_checks_are_refused_and_nothing_is_stored(faskel, change, field):
    [result] = sync(faskel, health(**change))
    assert result["status"] == "invalid", result
    assert result["errors"][field]
    assert stored() == (0, 0, 0, 0)


def test_a_meeting_check_must_match_its_meeting(faskel):
    record = meeting()
    sync(faskel, record)
    other_day, other_ksm, temperature = sync(
        faskel,
        health(record, checked_on="2021-04-13"),
        health(record, ksm_id=ksm("KSM Tanjung Karang 2").id),
        health(record, temperature_checked=None),
    )
    assert other_day["errors"] == {"checked_on": "Tanggal pemeriksaan harus sama dengan tanggal pertemuan."}
    assert "meeting_uuid" in other_ksm["errors"]
    assert "temperature_checked" in temperature["errors"]  # a meeting has one temperature check to report
    assert count(HealthCheck) == 0


# --- scope ------------------------------------------------------------------------------------------

OUT_OF_SCOPE = {"data": "Di luar wilayah tugas Anda."}
ROLE_MAY_NOT = {"kind": "Peran Anda tidak boleh mencatat data ini."}


def test_a_faskel_writes_nothing_outside_their_kelurahan(faskel):
    outside = meeting("Kebon Sari")
    results = sync(
        faskel,
        outside,
        meeting("Kebon Sari", ksm_id=None),
        health(outside, meeting_uuid=None, setting="worksite"),
    )
    assert [(r["status"], r["errors"]) for r in results] == [("forbidden", OUT_OF_SCOPE)] * 3
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize("username", ["askot"])
def test_a_supervisor_writes_neither_kind(demo, auth, username):
    auth.login(username)
    record = meeting()
    assert [(r["status"], r["errors"]) for r in sync(auth, record, health(record))] == [
        ("forbidden", ROLE_MAY_NOT)
    ] * 2
    assert stored() == (0, 0, 0, 0)


def test_a_treasurer_checks_their_own_ksm_only(demo, auth):
    auth.login("bendahara")
    record = meeting()
    own, other, kelurahan_wide, no_meetings = sync(
        auth,
        health(),
        health(ksm_id=ksm("KSM Tanjung Karang 2").id),
        health(ksm_id=None, setting="meeting", temperature_checked=True),
        record,
    )
    assert own["status"] == "created"
    assert (other["status"], other["errors"]) == ("forbidden", OUT_OF_SCOPE)
    assert (kelurahan_wide["status"], kelurahan_wide["errors"]) == ("forbidden", OUT_OF_SCOPE)
    assert (no_meetings["status"], no_meetings["errors"]) == ("forbidden", ROLE_MAY_NOT)
    assert stored() == (0, 0, 1, 0)


def test_a_treasurer_checks_a_meeting_of_their_ksm(demo, auth):
    record = meeting()
    auth.login("faskel")
    sync(auth, record)
    auth.logout()
    auth.login("bendahara")
    assert sync(auth, health(record))[0]["status"] == "created"


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def recorded(faskel):
    """A coaching KSM with a health check (one fever case), and a work-site check, in Tanjung Karang."""
    record = meeting(photo=JPEG)
    first, _, _ = sync(faskel, record, health(record, fever_cases=1), health())
    return first["id"]


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_list_shows_each_kelurahan_with_its_stage_compliance_and_meetings(recorded, client):
    text = page(client, "/meetings/")
    assert text.index("Pagutan") < text.index("Tanjung Karang")
    assert "Belum ada pertemuan tercatat di kelurahan ini." in text  # Pagutan
    assert "Coaching KSM</strong> · 12 April 2021" in text
    assert "4 peserta (2 L, 2 P)" in text
    # Tanjung Karang: coaching done, and the demo's HOK put it in the works stage.
    assert '<li class="done">Coaching KSM</li>' in text
    assert '<li class="done current">Pelaksanaan pekerjaan</li>' in text
    assert "Kepatuhan protokol kesehatan:\n    <strong>100 %</strong>" in text
    assert "Kebon Sari" not in text
    assert 'href="/meetings/new?kelurahan_id=' in text


def test_the_detail_shows_attendees_topics_health_check_and_fever_rule(recorded, client):
    text = page(client, f"/meetings/{recorded}")
    assert "4 orang: 2 laki-laki, 2 perempuan" in text
    assert '<li class="done">Konsep dan mekanisme CFW</li>' in text
    assert '<li class="missing">Tujuan CFW</li>' in text
    assert "Kepatuhan protokol kesehatan: 100 %" in text
    assert "1 orang demam. Yang demam tidak ikut pertemuan hari itu" in text
    assert f'src="/meetings/{recorded}/photo"' in text
    photo = client.get(f"/meetings/{recorded}/photo")
    assert (photo.status_code, photo.mimetype, photo.data[:3]) == (200, "image/jpeg", b"\xff\xd8\xff")


def test_the_daftar_hadir_lists_every_name_with_a_column_to_sign(recorded, client):
    text = page(client, f"/meetings/{recorded}/daftar-hadir")
    assert "DAFTAR HADIR" in text and "<th>Tanda tangan</th>" in text
    for person in PEOPLE:
        assert f"<td>{person['name']}</td>" in text
    assert "4 orang: 2 laki-laki, 2 perempuan" in text
    assert "Senin, 12 April 2021" in text


def test_tipp_members_are_shown_with_their_gender_balance(faskel, client):
    people = [
        {"name": "Ahmad Fauzi", "gender": "L", "role": "tipp", "tipp_role": "ketua"},
        {"name": "Siti Aminah", "gender": "P", "role": "tipp", "tipp_role": "sekretaris"},
        {"name": "Nurhayati", "gender": "P", "role": "tipp", "tipp_role": "bendahara"},
        {"name": "Pak RT", "gender": "L", "role": "warga"},
    ]
    [result] = sync(faskel, meeting(type="tipp", topics=[], attendees=people))
    text = page(client, f"/meetings/{result['id']}")
    assert "Anggota TIPP" in text and "3 orang: 1 laki-laki, 2 perempuan" in text and "67 % perempuan" in text
    assert "<th>Jabatan TIPP</th>" in page(client, f"/meetings/{result['id']}/daftar-hadir")


def test_a_meeting_outside_the_scope_is_not_found(demo, auth, client):
    auth.login("admin")
    outside, kelurahan_wide = sync(auth, meeting("Kebon Sari", photo=JPEG), meeting(ksm_id=None))
    auth.logout()
    auth.login("faskel")
    for url in ("", "/daftar-hadir", "/photo", "/health"):
        page(client, f"/meetings/{outside['id']}{url}", 404)
    page(client, "/meetings/999999", 404)
    auth.logout()
    auth.login("bendahara")  # a treasurer sees their KSM's meetings, not the kelurahan-wide ones
    page(client, f"/meetings/{kelurahan_wide['id']}", 404)
    assert "Aula Kantor Lurah" not in page(client, "/meetings/")


def test_the_forms_open_for_those_who_write(faskel, auth, client):
    text = page(client, "/meetings/new")
    assert 'data-outbox="meeting"' in text and "data-attendee-template" in text
    assert (
        page(client, f"/meetings/new?kelurahan_id={kelurahan('Pagutan').id}").count("selected>Pagutan<") == 1
    )
    page(client, f"/meetings/new?kelurahan_id={kelurahan('Kebon Sari').id}", 404)
    assert 'name="setting" value="worksite"' in page(client, f"/meetings/ksm/{ksm().id}/health")
    page(client, f"/meetings/ksm/{ksm('KSM Kebon Sari 1').id}/health", 404)
    auth.logout()
    auth.login("bendahara")
    page(client, "/meetings/new", 403)
    page(client, f"/meetings/ksm/{ksm().id}/health")
    page(client, f"/meetings/ksm/{ksm('KSM Tanjung Karang 2').id}/health", 404)
    auth.logout()
    auth.login("askot")
    page(client, "/meetings/new", 403)
    page(client, f"/meetings/ksm/{ksm().id}/health", 403)
    page(client, "/meetings/")


def test_a_meeting_without_a_check_offers_one_and_its_form_names_the_meeting(faskel, client):
    record = meeting()
    [result] = sync(faskel, record)
    assert f"/meetings/{result['id']}/health" in page(client, f"/meetings/{result['id']}")
    form = page(client, f"/meetings/{result['id']}/health")
    assert f'name="meeting_uuid" value="{record["uuid"]}"' in form
    sync(faskel, health(record))
    assert "sudah tercatat" in page(client, f"/meetings/{result['id']}/health")


def test_the_field_pages_are_warmed_for_offline_use(faskel, client):
    pages = client.get("/api/reference").get_json()["pages"]
    assert {"/meetings/", "/meetings/new", f"/meetings/new?kelurahan_id={kelurahan().id}"} <= set(pages)
    assert f"/meetings/ksm/{ksm().id}/health" in pages
    assert "/static/js/meetings.js" in client.get("/sw.js").get_data(as_text=True)


def test_the_csv_counts_meetings_and_health_checks_per_kelurahan(recorded, auth, client):
    auth.logout()
    auth.login("askot")
    rows = {r["kelurahan"]: r for r in csv.DictReader(io.StringIO(page(client, "/dashboard/export.csv")))}
    assert (rows["Tanjung Karang"]["meetings"], rows["Tanjung Karang"]["health_checks"]) == ("1", "2")
    assert (rows["Pagutan"]["meetings"], rows["Pagutan"]["health_checks"]) == ("0", "0")
