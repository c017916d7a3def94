"""KOTAKU-DFAT (issue 13) over HTTP: the `watsan_survey` kind through POST /api/sync, the DFAT pages
and their scope, the TIPP register (filled from a TIPP meeting), problems and needs, the figures of
export.csv against a small fixture, the DFAT topics of meetings and the KSM's own programme.

Uses the demo data: Kebon Sari, Kekalik Jaya... are DFAT-only; a `dfaskel` fasilitator is made for
Kebon Sari; the demo faskel works in Tanjung Karang and Pagutan (CFW only)."""

import csv
import io
from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.dfat.queries import dfat_progress_of, sanitation_access_percent, water_access_percent
from kotaku_pwa.meetings.queries import progress_of
from kotaku_pwa.models import (
    AuditLog,
    Conflict,
    DfatAssessment,
    Kelurahan,
    Ksm,
    Meeting,
    ProgrammeYear,
    TippMember,
    TippRegister,
    WatsanSurvey,
)
from kotaku_pwa.payments.queries import tranche_plan, wage_share_target

from .factories import PASSWORD, make_ksm, make_user, new_uuid, sync


def kelurahan(name) -> Kelurahan:
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


def survey(where="Kebon Sari", uuid=None, **data):
    values = {
        "kelurahan_id": kelurahan(where).id,
        "surveyed_on": "2021-06-01",
        "households": 200,
        "households_safe_water": 170,
        "households_safe_sanitation": 150,
        "notes": "Survei ulang",
    }
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "watsan_survey",
        "recorded_at": "2021-06-01T10:00:00+08:00",
        "data": values,
    }


def surveys():
    return db.session.scalar(db.select(db.func.count(WatsanSurvey.id)))


@pytest.fixture
def dfaskel(demo, auth):
    """A fasilitator of Kebon Sari (DFAT), signed in."""
    make_user("fasilitator", "dfaskel", kelurahan=[kelurahan("Kebon Sari")])
    assert auth.login("dfaskel", PASSWORD).status_code == 302
    return auth


@pytest.fixture
def story(demo_story):
    """The demo data with its story (demo_story.py): the sosialisasi and TIPP meetings of the five DFAT
    kelurahan, as `flask --app app demo` loads them."""
    return demo_story


def login(auth, username):
    auth.logout()
    assert auth.login(username).status_code == 302
    return auth


# --- watsan_survey through the sync API ------------------------------------------------------------------


def test_a_survey_is_stored_once(dfaskel):
    record = survey()
    before = surveys()
    [result] = sync(dfaskel, record)
    assert result["status"] == "created", result
    row = db.session.get(WatsanSurvey, result["id"])
    assert (row.households, row.households_safe_water, row.households_safe_sanitation) == (200, 170, 150)
    assert row.surveyed_on == date(2021, 6, 1) and row.notes == "Survei ulang"
    [again] = sync(dfaskel, record)
    assert again["status"] == "duplicate"
    assert surveys() == before + 1


def test_a_second_survey_of_the_same_day_waits_for_a_supervisor(dfaskel):
    sync(dfaskel, survey())
    [result] = sync(dfaskel, survey(households=210))
    assert result["status"] == "conflict"
    assert db.session.scalar(db.select(Conflict.reason)).startswith("Survei air minum dan sanitasi")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"households_safe_water": 201},
            "households_safe_water",
            "Rumah tangga dengan air minum aman tidak boleh lebih dari jumlah rumah tangga.",
        ),
        (
            {"households_safe_sanitation": 250},
            "households_safe_sanitation",
            "Rumah tangga dengan sanitasi aman tidak boleh lebih dari jumlah rumah tangga.",
        ),
        ({"households": -5}, "households", "Jumlah rumah tangga tidak boleh negatif."),
        ({"households_safe_water": -1}, "households_safe_water", "Jumlah rumah tangga tidak boleh negatif."),
        ({"surveyed_on": "2019-06-01"}, "surveyed_on", "Tanggal survei di luar tahun program DFAT (2021)."),
        ({"surveyed_on": "2099-06-01"}, "surveyed_on", "Tanggal survei tidak boleh di masa depan."),
        ({"surveyed_on": "1/6/2021"}, "surveyed_on", "Tanggal harus berformat YYYY-MM-DD."),
        ({"households": "200"}, "households", "Harus berupa bilangan bulat."),
        ({"households_safe_water": None}, "households_safe_water", "Wajib diisi."),
        ({"kelurahan_id": 999_999}, "kelurahan_id", "Kelurahan tidak dikenal."),
    ],
)
def test_bad_surveys_are_invalid_in_indonesian(dfaskel, change, field, message):
    before = surveys()
    [result] = sync(dfaskel, survey(**change))
    assert result["status"] == "invalid", result
    assert result["errors"][field] == message
    assert surveys() == before


def test_a_survey_of_a_cfw_only_kelurahan_is_invalid(demo, auth):
    login(auth, "admin")  # admin may write anywhere: only the programme rule refuses it
    [result] = sync(auth, survey("Tanjung Karang"))
    assert result["status"] == "invalid"
    assert (
        result["errors"]["kelurahan_id"] == "Survei air minum dan sanitasi hanya untuk kelurahan lokasi DFAT."
    )


@pytest.mark.parametrize("who", ["faskel", "askot", "bendahara"])
def test_who_may_not_write_a_survey_of_kebon_sari(demo, auth, who):
    login(auth, who)  # faskel: another kelurahan; askot: reads only; bendahara: not a writer
    before = surveys()
    [result] = sync(auth, survey())
    assert result["status"] == "forbidden"
    assert surveys() == before


# --- the pages and their scope ----------------------------------------------------------------------------


def test_the_kelurahan_page_shows_stages_coverage_chart_and_tipp(demo, auth, client):
    login(auth, "askot")
    page = client.get(f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}").get_data(as_text=True)
    assert "Identifikasi masalah dan kebutuhan air minum dan sanitasi" in page
    assert "Coaching KSM" not in page  # the DFAT chain, not the CFW one
    assert "66 %" in page and "48 %" in page  # demo baseline: 271 and 198 of 412 households
    assert "di bawah target 80 %" in page
    assert "<svg" in page and "style=" not in page
    assert "9 anggota · 5 laki-laki · 4 perempuan" in page
    assert "+ Catat survei" not in page  # supervisors read


def test_the_dfat_list_shows_only_dfat_kelurahan(demo, auth, client):
    login(auth, "askot")
    page = client.get("/dfat/").get_data(as_text=True)
    for name in ("Kebon Sari", "Kekalik Jaya", "Sayang-Sayang", "Babakan", "Bertais"):
        assert name in page
    assert "Tanjung Karang" not in page


def test_a_cfw_only_kelurahan_has_no_dfat_page(demo, auth, client):
    login(auth, "admin")
    assert client.get(f"/dfat/kelurahan/{kelurahan('Tanjung Karang').id}").status_code == 404
    assert client.get(f"/dfat/kelurahan/{kelurahan('Tanjung Karang').id}/survey").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("faskel", 404), ("askot", 403), ("bendahara", 403), ("admin", 200)]
)
def test_the_survey_form_needs_the_right_to_write_there(demo, auth, client, who, status):
    login(auth, who)
    assert client.get(f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}/survey").status_code == status


def test_the_survey_form_of_the_facilitator_goes_through_the_outbox(dfaskel, client):
    page = client.get(f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}/survey").get_data(as_text=True)
    assert 'data-outbox="watsan_survey"' in page
    for name in (
        "kelurahan_id",
        "surveyed_on",
        "households",
        "households_safe_water",
        "households_safe_sanitation",
    ):
        assert f'name="{name}"' in page


def test_a_facilitator_outside_the_kelurahan_gets_404(demo, auth, client):
    login(auth, "faskel")
    assert client.get(f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}").status_code == 404
    assert client.get(f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}/tipp").status_code == 404


def test_the_dfat_pages_are_kept_offline_for_dfat_kelurahan_only(dfaskel, client):
    pages = client.get("/api/reference").get_json()["pages"]
    kebon_sari = kelurahan("Kebon Sari").id
    assert f"/dfat/kelurahan/{kebon_sari}" in pages
    assert f"/dfat/kelurahan/{kebon_sari}/survey" in pages
    login(dfaskel, "faskel")
    assert not [p for p in client.get("/api/reference").get_json()["pages"] if p.startswith("/dfat/")]


# --- the TIPP register ------------------------------------------------------------------------------------


def members(name="Kebon Sari"):
    return db.session.scalars(
        db.select(TippMember).filter_by(kelurahan_id=kelurahan(name).id).order_by(TippMember.id)
    ).all()


def test_the_facilitator_adds_and_removes_a_member_audited(dfaskel, client):
    place = kelurahan("Kebon Sari").id
    response = dfaskel.post(
        f"/dfat/kelurahan/{place}/tipp/members",
        name="Baiq Rina",
        gender="P",
        role="anggota",
        unsur="perempuan",
    )
    assert response.status_code == 302
    added = members()[-1]
    assert (added.name, added.gender, added.role, added.unsur) == ("Baiq Rina", "P", "anggota", "perempuan")
    page = client.get(f"/dfat/kelurahan/{place}/tipp").get_data(as_text=True)
    assert "10 anggota · 5 laki-laki · 5 perempuan" in page and "50 % perempuan" in page
    assert dfaskel.post(f"/dfat/kelurahan/{place}/tipp/members/{added.id}/delete").status_code == 302
    assert len(members()) == 9
    actions = db.session.scalars(
        db.select(AuditLog.action).where(AuditLog.object_kind == "tipp_member")
    ).all()
    assert actions == ["created", "deleted"]


def test_a_member_without_name_or_gender_is_refused(dfaskel):
    response = dfaskel.post(
        f"/dfat/kelurahan/{kelurahan('Kebon Sari').id}/tipp/members",
        name="",
        gender="",
        role="anggota",
        unsur="",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Isi nama anggota." in page
    assert len(members()) == 9


def test_the_register_keeps_formed_or_revitalised_and_the_sk(dfaskel, client):
    place = kelurahan("Kebon Sari").id
    response = dfaskel.post(
        f"/dfat/kelurahan/{place}/tipp", status="formed", sk_number="45/SK/2021", sk_date="2021-03-30"
    )
    assert response.status_code == 302
    register = db.session.execute(db.select(TippRegister).filter_by(kelurahan_id=place)).scalar_one()
    assert (register.status, register.sk_number, register.sk_date) == (
        "formed",
        "45/SK/2021",
        date(2021, 3, 30),
    )
    assert "Dibentuk baru · SK 45/SK/2021" in client.get(f"/dfat/kelurahan/{place}/tipp").get_data(
        as_text=True
    )


def test_a_supervisor_reads_the_register_but_may_not_change_it(demo, auth, client):
    login(auth, "askot")
    place = kelurahan("Kebon Sari").id
    page = client.get(f"/dfat/kelurahan/{place}/tipp").get_data(as_text=True)
    assert "H. Lalu Wirentanu" in page and "Tambah anggota" not in page
    assert (
        auth.post(f"/dfat/kelurahan/{place}/tipp/members", name="X", gender="L", role="anggota").status_code
        == 403
    )
    assert auth.post(f"/dfat/kelurahan/{place}/tipp", status="formed").status_code == 403
    assert len(members()) == 9


def test_a_tipp_meetings_attendance_list_fills_the_register_after_confirmation(dfaskel, client):
    place = kelurahan("Kebon Sari")
    people = [
        {"name": "Lalu Baru", "gender": "L", "role": "tipp", "tipp_role": "ketua"},
        {"name": "Baiq Nurul Aini", "gender": "P", "role": "tipp", "tipp_role": "sekretaris"},
        {"name": "H. Lalu Wirentanu", "gender": "L", "role": "tipp"},  # already a member: keeps the unsur
        {"name": "Pak Lurah", "gender": "L", "role": "kelurahan"},  # not of unsur TIPP: not a member
    ]
    record = {
        "uuid": new_uuid(),
        "kind": "meeting",
        "recorded_at": "2021-05-03T10:00:00+08:00",
        "data": {
            "kelurahan_id": place.id,
            "type": "tipp",
            "held_on": "2021-05-03",
            "place": "Kantor Lurah",
            "attendees": people,
        },
    }
    [result] = sync(dfaskel, record)
    assert result["status"] == "created"
    meeting_id = result["id"]
    detail = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/dfat/meeting/{meeting_id}/tipp" in detail
    confirm = client.get(f"/dfat/meeting/{meeting_id}/tipp").get_data(as_text=True)
    assert "akan diganti dengan 3 peserta" in confirm and "Pak Lurah" not in confirm
    assert len(members()) == 9  # nothing changes before the confirmation
    assert dfaskel.post(f"/dfat/meeting/{meeting_id}/tipp").status_code == 400  # no confirm field
    assert dfaskel.post(f"/dfat/meeting/{meeting_id}/tipp", confirm="1").status_code == 302
    now = [(m.name, m.gender, m.role, m.unsur, m.meeting_id) for m in members()]
    assert now == [
        ("Lalu Baru", "L", "ketua", None, meeting_id),
        ("Baiq Nurul Aini", "P", "sekretaris", None, meeting_id),
        ("H. Lalu Wirentanu", "L", "ketua", "tokoh", meeting_id),
    ]


def test_only_a_tipp_meeting_of_a_dfat_kelurahan_fills_a_register(story, auth, client):
    login(auth, "admin")
    sosialisasi = db.session.execute(
        db.select(Meeting).filter_by(kelurahan_id=kelurahan("Kebon Sari").id, type="sosialisasi")
    ).scalar_one()
    assert client.get(f"/dfat/meeting/{sosialisasi.id}/tipp").status_code == 404
    assert "Isi anggota TIPP" not in client.get(f"/meetings/{sosialisasi.id}").get_data(as_text=True)


# --- problems and needs -----------------------------------------------------------------------------------


def test_problems_and_needs_are_saved_and_audited(dfaskel, client):
    place = kelurahan("Kebon Sari").id
    response = dfaskel.post(
        f"/dfat/kelurahan/{place}/masalah",
        problem_drainase="Saluran tersumbat",
        problem_kebakaran="Tidak ada hidran",
        problem_air_minum="",  # emptied: no longer a problem written down; air_limbah not sent: kept
        water_needs="120 sambungan rumah",
        sanitation_needs="",
        design_status="selesai",
        rplp_status="penyusunan",
    )
    assert response.status_code == 302
    row = db.session.execute(db.select(DfatAssessment).filter_by(kelurahan_id=place)).scalar_one()
    assert row.problems == {
        "drainase": "Saluran tersumbat",
        "air_limbah": "Banyak rumah tanpa tangki septik, buangan langsung ke saluran.",
        "kebakaran": "Tidak ada hidran",
    }
    assert (row.water_needs, row.sanitation_needs, row.design_status, row.rplp_status) == (
        "120 sambungan rumah",
        None,
        "selesai",
        "penyusunan",
    )
    assert db.session.scalar(
        db.select(AuditLog.object_kind).where(
            AuditLog.object_id == row.id, AuditLog.object_kind == "dfat_assessment"
        )
    )
    page = client.get(f"/dfat/kelurahan/{place}").get_data(as_text=True)
    assert "Tidak ada hidran" in page and "Selesai / disepakati" in page
    assert dfat_progress_of([place])[place].done["design"] is True


def test_an_unknown_status_is_refused(dfaskel):
    place = kelurahan("Kebon Sari").id
    response = dfaskel.post(f"/dfat/kelurahan/{place}/masalah", design_status="hampir", rplp_status="belum")
    assert response.status_code == 400
    assert "Pilihan tidak ada dalam daftar." in response.get_data(
        as_text=True
    ) or "Pilih salah satu" in response.get_data(as_text=True)


def test_a_supervisor_reads_problems_and_needs_but_may_not_post(demo, auth, client):
    login(auth, "askot")
    place = kelurahan("Kebon Sari").id
    assert "Banyak rumah tanpa tangki septik" in client.get(f"/dfat/kelurahan/{place}/masalah").get_data(
        as_text=True
    )
    assert (
        auth.post(
            f"/dfat/kelurahan/{place}/masalah", design_status="selesai", rplp_status="selesai"
        ).status_code
        == 403
    )


# --- the figures ------------------------------------------------------------------------------------------


def test_the_figures_take_the_latest_survey_of_dfat_kelurahan_only(demo, auth, client):
    login(auth, "admin")
    kebon_sari, bertais, babakan = (kelurahan(n).id for n in ("Kebon Sari", "Bertais", "Babakan"))
    later = survey(
        "Kebon Sari",
        surveyed_on="2021-10-01",
        households=400,
        households_safe_water=321,
        households_safe_sanitation=319,
    )
    assert sync(auth, later)[0]["status"] == "created"
    ids = [kebon_sari, bertais, babakan, kelurahan("Tanjung Karang").id]
    # Kebon Sari: 321/400 = 80.25 → 80, 319/400 = 79.75 → 80;
    # Bertais (its baseline): 249/356 = 69.9 → 70, 221/356 = 62.1 → 62.
    assert water_access_percent(ids) == {kebon_sari: 80, bertais: 70}
    assert sanitation_access_percent(ids) == {kebon_sari: 80, bertais: 62}
    rows = {
        r["kelurahan"]: r
        for r in csv.DictReader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True)))
    }
    assert (rows["Kebon Sari"]["water_access_percent"], rows["Kebon Sari"]["sanitation_access_percent"]) == (
        "80",
        "80",
    )
    assert (rows["Babakan"]["water_access_percent"], rows["Tanjung Karang"]["sanitation_access_percent"]) == (
        "",
        "",
    )
    assert list(rows["Bertais"])[:9] == [
        "kelurahan",
        "ksm",
        "workers",
        "women_workers",
        "hok",
        "wages_due",
        "wages_paid",
        "meetings",
        "health_checks",
    ]


def test_a_survey_of_a_kelurahan_no_longer_dfat_is_not_a_figure(demo):
    place = kelurahan("Bertais")
    place.dfat, place.cfw = False, True
    db.session.commit()
    assert water_access_percent([place.id]) == {}


def test_the_demo_holds_the_seeds_dfat_story(story):
    ids = [kelurahan(n).id for n in ("Kebon Sari", "Kekalik Jaya", "Sayang-Sayang", "Babakan", "Bertais")]
    progress = dfat_progress_of(ids)
    for kelurahan_id in ids:
        assert progress[kelurahan_id].done["sosialisasi"] and progress[kelurahan_id].done["tipp"]
        assert len(members_of(kelurahan_id)) == 9
    assert len(water_access_percent(ids)) == 2
    assert db.session.scalar(db.select(db.func.count(TippRegister.id))) == 5


def members_of(kelurahan_id):
    return db.session.scalars(db.select(TippMember).filter_by(kelurahan_id=kelurahan_id)).all()


def test_the_meetings_overview_shows_the_dfat_chain_for_dfat_kelurahan(demo, auth, client):
    login(auth, "admin")
    page = client.get("/meetings/").get_data(as_text=True)
    section = page[page.index('id="kelurahan-' + str(kelurahan("Kebon Sari").id)) :]
    section = section[: section.index("</section>")]
    assert "Tahapan DFAT" in section and "Tahapan CFW" not in section


# --- the meetings' own topics (issue 13 item 2) ------------------------------------------------------


def meeting(where, kind, topics, ksm_id=None):
    return {
        "uuid": new_uuid(),
        "kind": "meeting",
        "recorded_at": "2021-05-03T10:00:00+08:00",
        "data": {
            "kelurahan_id": kelurahan(where).id,
            "ksm_id": ksm_id,
            "type": kind,
            "held_on": "2021-05-03",
            "place": "Balai",
            "topics": topics,
        },
    }


@pytest.mark.parametrize(
    ("kind", "topics"),
    [
        ("sosialisasi", ["programme_aims", "service_target"]),
        ("fgd", ["slum_problems", "water_needs", "sanitation_needs"]),
        ("survey", ["household_water", "site_mapping"]),
    ],
)
def test_dfat_meetings_record_their_own_topics(dfaskel, kind, topics):
    [result] = sync(dfaskel, meeting("Kebon Sari", kind, topics))
    assert result["status"] == "created", result
    assert db.session.get(Meeting, result["id"]).topics == topics


@pytest.mark.parametrize(
    ("kind", "topics", "message"),
    [
        ("fgd", ["concept"], "Topik coaching tidak dicatat untuk jenis pertemuan ini."),
        ("sosialisasi", ["household_water"], "Topik survei tidak dicatat untuk jenis pertemuan ini."),
        ("coaching_ksm", ["slum_problems"], "Topik FGD tidak dicatat untuk jenis pertemuan ini."),
        ("tipp", ["programme_aims"], "Topik sosialisasi tidak dicatat untuk jenis pertemuan ini."),
        ("fgd", ["ngobrol"], "Kode tidak dikenal: ngobrol."),
    ],
)
def test_a_topic_of_another_types_list_is_refused(dfaskel, kind, topics, message):
    [result] = sync(dfaskel, meeting("Kebon Sari", kind, topics))
    assert result["status"] == "invalid"
    assert result["errors"]["topics"] == message


def test_an_mp2k_with_the_coaching_topics_counts_as_coaching(demo, auth):
    login(auth, "faskel")
    place = kelurahan("Pagutan")
    group = db.session.execute(db.select(Ksm).filter_by(name="KSM Pagutan 1")).scalar_one()
    [result] = sync(auth, meeting("Pagutan", "mp2k", ["concept", "funds"], ksm_id=group.id))
    assert result["status"] == "created", result
    assert progress_of([place.id], date(2021, 5, 4))[place.id].done["coaching_ksm"] is True
    place_without = kelurahan("Tanjung Karang")
    group = db.session.execute(db.select(Ksm).filter_by(name="KSM Tanjung Karang 1")).scalar_one()
    sync(auth, meeting("Tanjung Karang", "mp2k", [], ksm_id=group.id))
    assert progress_of([place_without.id], date(2021, 5, 4))[place_without.id].done["coaching_ksm"] is False


# --- the KSM's own programme (issue 13 item 5) -------------------------------------------------------


def test_a_dfat_ksm_in_a_kelurahan_of_both_follows_the_dfat_plan(demo):
    db.session.execute(
        db.update(ProgrammeYear)
        .where(ProgrammeYear.programme == "DFAT")
        .values(tranche_percentages=[40, 60], wage_share_target=30)
    )
    place = kelurahan("Tanjung Karang")
    place.dfat = True  # now CFW and DFAT
    dfat_ksm = make_ksm(place, name="KSM Air Minum", programme="DFAT")
    cfw_ksm = make_ksm(place, name="KSM Drainase")
    assert cfw_ksm.programme == "CFW"
    assert tranche_plan(dfat_ksm) == [(1, 40, 40_000_000), (2, 60, 60_000_000)]
    assert wage_share_target(dfat_ksm) == 30
    assert tranche_plan(cfw_ksm) == [(1, 70, 70_000_000), (2, 30, 30_000_000)]


def test_the_demo_ksms_of_dfat_kelurahan_are_dfat(demo):
    programmes = dict(db.session.execute(db.select(Ksm.name, Ksm.programme)).all())
    assert programmes["KSM Kebon Sari 1"] == "DFAT"
    assert programmes["KSM Tanjung Karang 1"] == "CFW"


def test_the_admin_ksm_form_refuses_a_programme_the_kelurahan_does_not_run(demo, auth):
    login(auth, "admin")
    response = auth.post(
        "/admin/ksm/new",
        kelurahan_id=kelurahan("Tanjung Karang").id,
        name="KSM Baru",
        activity="Air minum",
        programme="DFAT",
        budget="100000000",
        start_date="2021-04-15",
        end_date="2021-07-15",
        ketua="A",
        sekretaris="B",
        bendahara="C",
        pay_period="weekly",
    )
    assert response.status_code in (200, 400)
    assert "Kelurahan ini tidak menjalankan program DFAT." in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["askot", "admin"])
def test_the_home_page_links_the_dfat_locations(demo, auth, client, who):
    login(auth, who)
    assert 'href="/dfat/"' in client.get("/").get_data(as_text=True)


def test_a_dfat_facilitators_home_links_their_kelurahan_page(dfaskel, client):
    assert f'href="/dfat/kelurahan/{kelurahan("Kebon Sari").id}"' in client.get("/").get_data(as_text=True)


def test_a_supervisor_of_another_kota_sees_no_dfat_page(demo, auth, client):
    from .factories import make_kota

    make_user("supervisor", "askot-bima", kota=make_kota("Bima"))
    auth.login("askot-bima", PASSWORD)
    place = kelurahan("Kebon Sari").id
    assert client.get(f"/dfat/kelurahan/{place}").status_code == 404
    assert client.get(f"/dfat/kelurahan/{place}/masalah").status_code == 404
    assert "Kebon Sari" not in client.get("/dfat/").get_data(as_text=True)


def test_a_facilitator_elsewhere_may_not_fill_a_register_from_a_meeting(story, auth, client):
    login(auth, "faskel")
    tipp = db.session.execute(
        db.select(Meeting).filter_by(kelurahan_id=kelurahan("Kebon Sari").id, type="tipp")
    ).scalar_one()
    assert client.get(f"/dfat/meeting/{tipp.id}/tipp").status_code == 404
    assert auth.post(f"/dfat/meeting/{tipp.id}/tipp", confirm="1").status_code == 404
    assert len(members()) == 9


@pytest.mark.parametrize("who", ["dfaskel", "askot", "admin"])
def test_every_dfat_page_opens_and_works_under_the_csp(story, dfaskel, client, who):
    from .test_access import _assert_works_under_the_csp, _csp

    if who != "dfaskel":
        login(dfaskel, who)
    place = kelurahan("Kebon Sari").id
    tipp = db.session.execute(db.select(Meeting.id).filter_by(kelurahan_id=place, type="tipp")).scalar_one()
    writer = who != "askot"
    pages = {
        "/dfat/": 200,
        f"/dfat/kelurahan/{place}": 200,
        f"/dfat/kelurahan/{place}/survey": 200 if writer else 403,
        f"/dfat/kelurahan/{place}/tipp": 200,
        f"/dfat/kelurahan/{place}/masalah": 200,
        f"/dfat/meeting/{tipp}/tipp": 200 if writer else 403,
        f"/meetings/{tipp}": 200,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        _assert_works_under_the_csp(response.get_data(as_text=True), _csp(response)["style-src"])


def test_the_dashboard_shows_a_dfat_kelurahan_on_its_own_chain(story, auth, client):
    # The story holds sosialisasi and TIPP formation in Kebon Sari, and the DFAT demo its register:
    # on the dashboard it stands at a DFAT stage, never at a CFW one.
    login(auth, "askot")
    kebon_sari = kelurahan("Kebon Sari")
    expected = dfat_progress_of([kebon_sari.id])[kebon_sari.id]
    assert expected.programme == "DFAT" and expected.stage not in ("coaching_ksm", "mp2k", "works", "lpj")
    page = client.get(f"/dashboard/kelurahan/{kebon_sari.id}").get_data(as_text=True)
    assert expected.label in page
    assert "Desain konsep" in page and "Coaching KSM" not in page
    overview = client.get("/dashboard/?sort=name").get_data(as_text=True)
    assert expected.label in overview
