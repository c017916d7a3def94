"""`flask --app app demo`: the demo data of Kota Mataram (docs/contracts.md, "Glossary" and "Contracts")."""

from datetime import date

import pytest

from kotaku_pwa import db, nik
from kotaku_pwa.models import (
    Attendance,
    AuditLog,
    Bkm,
    Conflict,
    HealthCheck,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    Meeting,
    MeetingAttendee,
    Payment,
    PaymentReversal,
    User,
    Verification,
    Worker,
    user_kelurahan,
)
from kotaku_pwa.vocabulary import COACHING_TOPICS, MP2K_OUTCOMES
from tests.factories import image_of, make_user

# Seed kelurahan → kecamatan (Kota Mataram). SPEC: the eight of the CFW coaching, and the five DFAT
# locations with their kecamatan.
CFW = {
    "Tanjung Karang": "Sekarbela",
    "Pagutan": "Mataram",
    "Mataram Timur": "Mataram",
    "Karang Pule": "Sekarbela",
    "Ampenan Utara": "Ampenan",
    "Cakranegara Selatan": "Cakranegara",
    "Cakranegara Utara": "Cakranegara",
    "Pagesangan Barat": "Mataram",
}
DFAT = {
    "Kebon Sari": "Ampenan",
    "Kekalik Jaya": "Sekarbela",
    "Sayang-Sayang": "Cakranegara",
    "Babakan": "Sandubaya",
    "Bertais": "Sandubaya",
}
TYPOLOGIES = {"tepi air", "di atas air", "perbukitan", "dataran rendah", "rawan bencana"}
COUNTED = (
    Kota,
    Kecamatan,
    Kelurahan,
    Bkm,
    Ksm,
    User,
    Worker,
    Attendance,
    Meeting,
    MeetingAttendee,
    HealthCheck,
    Payment,
    PaymentReversal,
    Verification,
    Conflict,
    AuditLog,
)


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _counts():
    counts = {
        model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model)) for model in COUNTED
    }
    counts["user_kelurahan"] = db.session.scalar(db.select(db.func.count()).select_from(user_kelurahan))
    return counts


def _one(model, **keys):
    return db.session.execute(db.select(model).filter_by(**keys)).scalar_one()


@pytest.fixture
def ran(app):
    """The `flask demo` command itself, on empty tables."""
    result = _run(app, "demo")
    assert "faskel" in result.output and "kotaku-demo" in result.output
    return app


@pytest.fixture
def loaded(demo_story):
    """What `flask demo` loads, restored by conftest.py in a fraction of the time a load takes."""
    return demo_story


def test_demo_is_idempotent(ran):
    first = _counts()
    assert all(first.values()), first
    _run(ran, "demo")
    db.session.expire_all()
    assert _counts() == first


def test_demo_keeps_changes_made_since(ran):
    """A second run creates what is missing and leaves what people changed alone."""
    faskel = _one(User, username="faskel")
    faskel.set_password("kata-sandi-baru-123")
    db.session.delete(_one(Ksm, name="KSM Bertais 2"))
    db.session.commit()
    _run(ran, "demo")
    db.session.expire_all()
    assert _one(User, username="faskel").check_password("kata-sandi-baru-123")
    assert _one(Ksm, name="KSM Bertais 2").kelurahan.name == "Bertais"


def test_kota_mataram_and_the_seed_kelurahan(loaded):
    kota = _one(Kota, name="Mataram")
    kelurahan = {
        k.name: k
        for k in db.session.scalars(db.select(Kelurahan).join(Kecamatan).where(Kecamatan.kota_id == kota.id))
    }
    assert set(CFW) | set(DFAT) <= set(kelurahan)
    for name, kecamatan in {**CFW, **DFAT}.items():
        assert kelurahan[name].kecamatan.name == kecamatan, name
    # The whole of Kota Mataram 2021 (docs/budgets.md): 16 kelurahan, no more.
    assert 13 <= len(kelurahan) <= 16
    # Every kelurahan of the demo is in Kota Mataram.
    assert db.session.scalar(db.select(db.func.count()).select_from(Kota)) == 1


@pytest.mark.parametrize("name", CFW)
def test_cfw_kelurahan(loaded, name):
    kelurahan = _one(Kelurahan, name=name)
    assert kelurahan.cfw is True
    assert kelurahan.bpm_allocation == 300_000_000


@pytest.mark.parametrize("name", DFAT)
def test_dfat_kelurahan(loaded, name):
    kelurahan = _one(Kelurahan, name=name)
    assert kelurahan.dfat is True
    assert kelurahan.typology in TYPOLOGIES
    assert kelurahan.bpm_allocation > 0


def test_every_kelurahan_has_a_bkm_and_two_or_three_ksm(loaded):
    for kelurahan in db.session.scalars(db.select(Kelurahan)):
        bkm = kelurahan.bkm
        assert bkm is not None, kelurahan.name
        assert kelurahan.name in bkm.name
        assert 2 <= len(kelurahan.ksm) <= 3, kelurahan.name
        assert len({k.name for k in kelurahan.ksm}) == len(kelurahan.ksm)


def test_every_ksm_has_officers_a_budget_and_the_demo_season(loaded):
    for ksm in db.session.scalars(db.select(Ksm)):
        assert ksm.ketua and ksm.sekretaris and ksm.bendahara, ksm.name  # ≥3 members
        assert len({ksm.ketua, ksm.sekretaris, ksm.bendahara}) == 3, ksm.name
        assert ksm.activity
        assert ksm.budget > 0
        assert (ksm.start_date, ksm.end_date) == (date(2021, 4, 15), date(2021, 7, 15))
    # The KSM budgets of a kelurahan stay within its BPM allocation.
    for kelurahan in db.session.scalars(db.select(Kelurahan)):
        assert sum(k.budget for k in kelurahan.ksm) <= kelurahan.bpm_allocation, kelurahan.name


def test_the_four_demo_accounts_and_their_scopes(loaded):
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    assert set(users) == {"faskel", "bendahara", "askot", "admin"}
    for user in users.values():
        assert user.active
        assert user.check_password("kotaku-demo")
        assert "kotaku-demo" not in user.password_hash

    mataram = _one(Kota, name="Mataram")

    faskel = users["faskel"]
    assert faskel.role == "fasilitator"
    assert sorted(k.name for k in faskel.kelurahan) == ["Pagutan", "Tanjung Karang"]
    assert faskel.ksm_id is None and faskel.kota_id is None

    bendahara = users["bendahara"]
    assert bendahara.role == "bendahara"
    assert bendahara.ksm is not None
    assert bendahara.ksm.kelurahan.name == "Tanjung Karang"
    assert bendahara.kelurahan == [] and bendahara.kota_id is None

    askot = users["askot"]
    assert askot.role == "supervisor"
    assert askot.kota_id == mataram.id
    assert askot.kelurahan == [] and askot.ksm_id is None

    admin = users["admin"]
    assert admin.role == "admin"
    assert admin.kelurahan == [] and admin.ksm_id is None and admin.kota_id is None


def test_demo_workers_pass_the_programme_rules(loaded):
    """The demo workers could have been registered through the app: valid NIK, gender, adult."""
    bendahara = _one(User, username="bendahara")
    workers = db.session.scalars(db.select(Worker)).all()
    assert workers
    assert len({w.nik for w in workers}) == len(workers)
    for worker in workers:
        assert worker.ksm_id == bendahara.ksm_id
        assert nik.problems(worker.nik, worker.gender, date(2021, 4, 15)) == {}, worker.name
        parsed = nik.parse(worker.nik, date(2021, 4, 15))
        assert parsed.birth_date == worker.birth_date, worker.name
        assert worker.category in ("pekerja", "tukang", "mandor")
    assert any(w.gender == "P" for w in workers) and any(w.gender == "L" for w in workers)


def test_demo_attendance_lies_in_the_season(loaded):
    rows = db.session.execute(db.select(Attendance, Ksm).join(Ksm, Attendance.ksm_id == Ksm.id)).all()
    assert rows
    for attendance, ksm in rows:
        assert ksm.start_date <= attendance.work_date <= ksm.end_date
        assert attendance.worker.ksm_id == attendance.ksm_id
    assert any(a.present for a, _ in rows) and not all(a.present for a, _ in rows)
    uuids = [a.uuid for a, _ in rows]
    assert len(set(uuids)) == len(uuids)


def test_demo_if_empty_loads_into_an_empty_database(app):
    result = _run(app, "demo", "--if-empty")
    assert "Akun demo" in result.output
    assert _one(Kota, name="Mataram")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 4


def test_demo_if_empty_does_nothing_when_users_exist(app):
    make_user("admin", username="pemilik")
    result = _run(app, "demo", "--if-empty")
    assert result.output.strip() == ""
    counts = _counts()
    assert counts["User"] == 1
    assert counts["Kota"] == counts["Kelurahan"] == counts["Ksm"] == counts["Worker"] == 0


def test_demo_if_empty_after_demo_changes_nothing(ran):
    before = _counts()
    result = _run(ran, "demo", "--if-empty")
    assert result.output.strip() == ""
    assert _counts() == before


def test_generate_makes_synthetic_data_for_benchmarks(demo, app):
    from kotaku_pwa.models import Attendance, Kelurahan, Worker

    before = {
        m: db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Kelurahan, Worker, Attendance)
    }
    result = app.test_cli_runner().invoke(
        args=["generate", "--kelurahan", "3", "--workers", "4", "--days", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "3 kelurahan, 12 pekerja, 60 baris kehadiran" in result.output
    after = {
        m: db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Kelurahan, Worker, Attendance)
    }
    assert [after[m] - before[m] for m in (Kelurahan, Worker, Attendance)] == [3, 12, 60]


# --- the story of the seed (issue 10 item 6): every screen has something true to show ---------------


def _meetings(kelurahan_name, kind):
    return db.session.scalars(
        db.select(Meeting).join(Kelurahan).where(Kelurahan.name == kelurahan_name, Meeting.type == kind)
    ).all()


@pytest.mark.parametrize("name", CFW)
def test_coaching_then_mp2k_in_each_coaching_kelurahan(loaded, name):
    [sosialisasi] = _meetings(name, "sosialisasi")
    [coaching] = _meetings(name, "coaching_ksm")
    [mp2k] = _meetings(name, "mp2k")
    assert sosialisasi.held_on < coaching.held_on < mp2k.held_on
    assert sorted(coaching.topics) == sorted(COACHING_TOPICS)  # the six topics of the seed
    assert sorted(mp2k.outcomes) == sorted(MP2K_OUTCOMES)  # the five agreed goals
    for meeting in (sosialisasi, coaching, mp2k):
        assert meeting.programme == "CFW" and meeting.attendees
        assert {a.gender for a in meeting.attendees} == {"L", "P"}
        check = db.session.execute(db.select(HealthCheck).filter_by(meeting_id=meeting.id)).scalar_one()
        assert check.people_present == len(meeting.attendees) and check.checked_on == meeting.held_on


@pytest.mark.parametrize("name", DFAT)
def test_sosialisasi_and_tipp_formation_in_each_dfat_kelurahan(loaded, name):
    [sosialisasi] = _meetings(name, "sosialisasi")
    [tipp] = _meetings(name, "tipp")
    assert sosialisasi.held_on < tipp.held_on
    assert {sosialisasi.programme, tipp.programme} == {"DFAT"}
    roles = [a.tipp_role for a in tipp.attendees]
    assert {"ketua", "sekretaris", "bendahara"} <= set(roles)
    assert all(a.role == "tipp" for a in tipp.attendees)


def test_the_meetings_are_the_facilitators_where_they_work(loaded):
    faskel = _one(User, username="faskel")
    for meeting in db.session.scalars(db.select(Meeting)):
        mine = meeting.kelurahan.name in ("Tanjung Karang", "Pagutan")
        assert (meeting.created_by_id == faskel.id) is mine, meeting.kelurahan.name


def test_work_site_checks_of_the_first_week(loaded):
    ksm = _one(Ksm, name="KSM Tanjung Karang 1")
    checks = db.session.scalars(db.select(HealthCheck).filter_by(ksm_id=ksm.id, setting="worksite")).all()
    assert len(checks) == 6  # Thursday to Wednesday, no work on Sunday
    assert sum(c.fever_cases for c in checks) == 1


def test_a_week_is_paid_signed_with_one_reversal_and_paid_again(loaded):
    ksm = _one(Ksm, name="KSM Tanjung Karang 1")
    payments = db.session.scalars(db.select(Payment).filter_by(ksm_id=ksm.id)).all()
    assert payments and {p.period_start for p in payments} == {date(2021, 4, 29)}
    assert all(image_of(p, "signature").startswith(b"\x89PNG") for p in payments)
    assert all(p.amount == p.days * p.daily_rate for p in payments)
    [reversal] = db.session.scalars(db.select(PaymentReversal)).all()
    again = db.session.execute(
        db.select(Payment).filter_by(worker_id=reversal.payment.worker_id, round=2)
    ).scalar_one()
    assert again.days == reversal.payment.days + 1
    standing = {p.worker_id for p in payments if p.reversal is None}
    present = db.session.scalars(
        db.select(Attendance.worker_id)
        .where(Attendance.ksm_id == ksm.id, Attendance.present.is_(True))
        .where(Attendance.work_date.between(date(2021, 4, 29), date(2021, 5, 5)))
    ).all()
    assert standing == set(present)  # everyone who worked is paid once
    assert db.session.execute(db.select(AuditLog).filter_by(action="payment_reversed")).scalar_one()


def test_a_verified_week_a_returned_week_and_an_open_conflict(loaded):
    """The first two weeks stay open and unpaid for people trying the app (and the browser tests)."""
    early = date(2021, 4, 29)
    assert not db.session.scalars(db.select(Payment).where(Payment.period_start < early)).first()
    assert not db.session.scalars(db.select(Verification).where(Verification.period_start < early)).first()
    ksm = _one(Ksm, name="KSM Tanjung Karang 1")
    decisions = {v.period_start: v for v in db.session.scalars(db.select(Verification))}
    assert decisions[date(2021, 4, 29)].decision == "verified"
    returned = decisions[date(2021, 5, 6)]
    assert returned.decision == "returned" and returned.reason
    assert returned.created_by.username == "askot" and returned.ksm_id == ksm.id
    [conflict] = db.session.scalars(db.select(Conflict)).all()
    assert conflict.status == "open" and conflict.kind == "attendance"
    assert conflict.created_by.username == "bendahara"


def test_the_story_is_in_the_audit_trail(loaded):
    kinds = set(db.session.scalars(db.select(AuditLog.object_kind).filter_by(action="created")))
    assert {"meeting", "health_check", "payment", "verification"} <= kinds


def test_the_story_shows_on_the_field_and_supervisor_pages(loaded):
    from tests.conftest import Auth

    auth = Auth(loaded.test_client())
    ksm = _one(Ksm, name="KSM Tanjung Karang 1")
    returned = db.session.execute(db.select(Verification).filter_by(decision="returned")).scalar_one()
    for username in ("faskel", "bendahara"):
        auth.login(username)
        assert f"Dikembalikan: {returned.reason}" in auth.client.get("/").get_data(as_text=True)
        auth.logout()
    auth.login("askot")
    assert "Coaching KSM" in auth.client.get("/meetings/").get_data(as_text=True)
    assert "Kel. Tanjung Karang" in auth.client.get("/conflicts/").get_data(as_text=True)
    audit_page = auth.client.get("/audit/").get_data(as_text=True)
    assert "membatalkan pembayaran" in audit_page and "verifikasi periode" in audit_page
    wage_list = auth.client.get(f"/payments/{ksm.id}/2021-04-29").get_data(as_text=True)
    assert "sudah diverifikasi supervisor" in wage_list and "Dibayar" in wage_list
