"""`flask --app app demo`: the demo data of Kota Mataram (SPEC.md, "Glossary" and "Contracts")."""

from datetime import date

import pytest

from kotaku_pwa import db, nik
from kotaku_pwa.models import (
    Attendance,
    Bkm,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    User,
    Worker,
    user_kelurahan,
)
from tests.factories import make_user

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
COUNTED = (Kota, Kecamatan, Kelurahan, Bkm, Ksm, User, Worker, Attendance)


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
def loaded(app):
    result = _run(app, "demo")
    assert "faskel" in result.output and "kotaku-demo" in result.output
    return app


def test_demo_is_idempotent(loaded):
    first = _counts()
    assert all(first.values()), first
    _run(loaded, "demo")
    db.session.expire_all()
    assert _counts() == first


def test_demo_keeps_changes_made_since(loaded):
    """A second run creates what is missing and leaves what people changed alone."""
    faskel = _one(User, username="faskel")
    faskel.set_password("kata-sandi-baru-123")
    db.session.delete(_one(Ksm, name="KSM Bertais 2"))
    db.session.commit()
    _run(loaded, "demo")
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
    # The whole of Kota Mataram 2021 (QUALITY.md): 16 kelurahan, no more.
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


def test_demo_if_empty_after_demo_changes_nothing(loaded):
    before = _counts()
    result = _run(loaded, "demo", "--if-empty")
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
