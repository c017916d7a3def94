"""Admin screens: create/edit of every row kind, refusals with Indonesian messages, deletes, access, audit."""

from contextlib import contextmanager

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import (
    AuditLog,
    Bkm,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    ProgrammeYear,
    User,
    UserSession,
    Worker,
)
from kotaku_pwa.org.forms import Unique

from .conftest import Auth
from .factories import make_kelurahan, make_user

LIST_URLS = {
    "kota": "/admin/kota",
    "kecamatan": "/admin/kecamatan",
    "kelurahan": "/admin/kelurahan",
    "bkm": "/admin/bkm",
    "ksm": "/admin/ksm",
    "users": "/admin/users",
    "programme-years": "/admin/programme-years",
}
MODELS = {
    "kota": Kota,
    "kecamatan": Kecamatan,
    "kelurahan": Kelurahan,
    "bkm": Bkm,
    "ksm": Ksm,
    "users": User,
    "programme-years": ProgrammeYear,
}


def one(model, **by):
    return db.session.execute(db.select(model).filter_by(**by)).scalar_one()


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@contextmanager
def elsewhere(app):
    """Requests from a second device.

    The `app` fixture holds one app context, so every client's requests would share `g` (Flask-Login's
    current user, Flask-WTF's CSRF token): the second device gets an app context of its own. The test's
    own transaction ends first, as SQLite has one writer at a time.
    """
    db.session.commit()
    with app.app_context():
        yield


def signed_in_elsewhere(app, username):
    other = app.test_client()
    with elsewhere(app):
        assert Auth(other).login(username).status_code == 302
        assert other.get("/").status_code == 200
    return other


def kelurahan_without_bkm():
    kelurahan = make_kelurahan("Kelurahan Baru", kota=one(Kota, name="Mataram"), kecamatan_name="Sekarbela")
    db.session.commit()
    return kelurahan


def valid(section):
    """Form entries a new row of this section is created from (in the demo data)."""
    if section == "kota":
        return {
            "name": "Lombok Barat",
            "wage_pekerja": "75.000",
            "wage_tukang": "85000",
            "wage_mandor": "Rp 95.000",
        }
    if section == "kecamatan":
        return {"kota_id": one(Kota, name="Mataram").id, "name": "Gunungsari"}
    if section == "kelurahan":
        return {
            "kecamatan_id": one(Kecamatan, name="Sekarbela").id,
            "name": "Tanjung Karang Permai",
            "cfw": "y",
            "typology": "tepi air",
            "bpm_allocation": "300.000.000",
        }
    if section == "bkm":
        return {"kelurahan_id": kelurahan_without_bkm().id, "name": "BKM Baru", "chair": "H. Mustafa"}
    if section == "ksm":
        return {
            "kelurahan_id": one(Kelurahan, name="Tanjung Karang").id,
            "name": "KSM Tanjung Karang 9",
            "activity": "Normalisasi saluran RT 05",
            "budget": "50.000.000",
            "start_date": "2021-05-01",
            "end_date": "2021-06-30",
            "ketua": "Lalu Saleh",
            "sekretaris": "Baiq Aini",
            "bendahara": "Sri Wahyuni",
            "pay_period": "biweekly",
            "wage_pekerja": "",
            "wage_tukang": "90000",
            "wage_mandor": "",
        }
    if section == "users":
        return {
            "username": "Faskel2",
            "full_name": "Nur Aini",
            "role": "fasilitator",
            "password": "sandi-panjang-1",
            "active": "y",
            "kelurahan_ids": [one(Kelurahan, name="Pagutan").id, one(Kelurahan, name="Monjok").id],
        }
    assert section == "programme-years"
    return {
        "year": "2022",
        "programme": "CFW",
        "tranche_percentages": "40, 30, 30",
        "wage_share_target": "65",
    }


# What an edit changes, and what the row then holds.
EDITS = {
    "kota": (
        {"wage_pekerja": "80.000"},
        {"name": "Lombok Barat", "wage_pekerja": 80000, "wage_mandor": 95000},
    ),
    "kecamatan": ({"name": "Gunung Sari"}, {"name": "Gunung Sari"}),
    "kelurahan": (
        {"dfat": "y", "typology": ""},
        {"cfw": True, "dfat": True, "typology": None, "bpm_allocation": 300_000_000},
    ),
    "bkm": ({"bank_account": "BNI 0123456789"}, {"bank_account": "BNI 0123456789", "chair": "H. Mustafa"}),
    "ksm": (
        {"wage_tukang": "", "end_date": "2021-07-15"},
        {"wage_tukang": None, "budget": 50_000_000, "pay_period": "biweekly", "ketua": "Lalu Saleh"},
    ),
    "users": (
        {"password": "", "full_name": "Nur Aini, S.T."},
        {"username": "faskel2", "full_name": "Nur Aini, S.T."},
    ),
    "programme-years": ({"tranche_percentages": "70 % , 30 %"}, {"tranche_percentages": [70, 30]}),
}


@pytest.fixture
def admin(demo, auth):
    """The demo data, signed in as the demo admin."""
    auth.login("admin")
    return one(User, username="admin")


def test_index_links_every_section_with_counts(admin, client):
    page = client.get("/admin/").get_data(as_text=True)
    for url in LIST_URLS.values():
        assert f'href="{url}"' in page
    assert f'<span class="tag">{count(Kelurahan)}</span>' in page


@pytest.mark.parametrize("section", LIST_URLS)
def test_list_pages_show_rows_and_empty_state(app, auth, client, section):
    make_user("admin", username="kosong")
    auth.login("kosong", "rahasia-uji-123")
    page = client.get(LIST_URLS[section])
    assert page.status_code == 200
    assert ("Belum ada" in page.get_data(as_text=True)) == (section != "users")
    assert client.get(f"{LIST_URLS[section]}/new").status_code == 200


@pytest.mark.parametrize("section", LIST_URLS)
def test_admin_creates_and_edits(admin, auth, client, section):
    model, data = MODELS[section], valid(section)
    before = count(model)

    created = auth.post(f"{LIST_URLS[section]}/new", **data)
    assert created.status_code == 302
    assert created.location.endswith(LIST_URLS[section])
    assert count(model) == before + 1
    assert "sudah disimpan" in client.get(created.location).get_data(as_text=True)
    row = db.session.scalars(db.select(model).order_by(model.id.desc())).first()

    changes, expected = EDITS[section]
    assert client.get(f"{LIST_URLS[section]}/{row.id}").status_code == 200
    edited = auth.post(f"{LIST_URLS[section]}/{row.id}", **{**data, **changes})
    assert edited.status_code == 302
    db.session.expire_all()
    assert {name: getattr(row, name) for name in expected} == expected
    assert count(model) == before + 1
    entries = db.session.scalars(
        db.select(AuditLog).filter_by(object_kind=model.__tablename__, object_id=row.id).order_by(AuditLog.id)
    ).all()
    kelurahan_id = row.id if section == "kelurahan" else getattr(row, "kelurahan_id", None)
    assert [(e.action, e.user_id, e.kelurahan_id) for e in entries] == [
        ("created", admin.id, kelurahan_id),
        ("updated", admin.id, kelurahan_id),
    ]
    assert entries[1].detail == {"fields": sorted(set(changes) - {"password"})}


def test_new_user_can_sign_in_with_the_given_password(admin, auth, app):
    auth.post("/admin/users/new", **valid("users"))
    user = one(User, username="faskel2")
    assert [k.name for k in user.kelurahan] == ["Monjok", "Pagutan"]
    with elsewhere(app):
        assert Auth(app.test_client()).login("faskel2", "sandi-panjang-1").status_code == 302


def _without(data, key):
    return {k: v for k, v in data.items() if k != key}


# section, entries changed from the valid ones (None = left out), the message shown on the field
BAD_INPUT = [
    ("kota", {"name": "   "}, "Isi nama kota."),
    ("kota", {"name": "mataram"}, "Kota ini sudah ada."),
    ("kota", {"wage_pekerja": "-5"}, "Harus antara Rp 1 dan Rp 1.000.000."),
    ("kota", {"wage_tukang": "1.000.001"}, "Harus antara Rp 1 dan Rp 1.000.000."),
    ("kota", {"wage_mandor": "banyak"}, "Isi dengan angka bulat."),
    ("kecamatan", {"name": ""}, "Isi nama kecamatan."),
    ("kecamatan", {"kota_id": ""}, "Pilih kota."),
    ("kecamatan", {"kota_id": "999"}, "Pilih salah satu dari daftar."),
    ("kecamatan", {"name": "Sekarbela"}, "Kecamatan ini sudah ada di kota tersebut."),
    ("kelurahan", {"name": "Tanjung Karang"}, "Kelurahan ini sudah ada di kecamatan tersebut."),
    ("kelurahan", {"cfw": None}, "Pilih minimal satu program: CFW atau DFAT."),
    ("kelurahan", {"bpm_allocation": "-1"}, "Harus antara Rp 0 dan Rp 2.000.000.000."),
    ("kelurahan", {"typology": "di gunung"}, "Pilih salah satu dari daftar."),
    ("bkm", {"name": ""}, "Isi nama BKM."),
    ("bkm", {"kelurahan_id": None}, "Pilih kelurahan."),
    ("ksm", {"name": "ksm tanjung karang 1"}, "KSM dengan nama ini sudah ada di kelurahan tersebut."),
    ("ksm", {"budget": "-100"}, "Harus antara Rp 0 dan Rp 2.000.000.000."),
    ("ksm", {"end_date": "2021-04-30"}, "Tanggal selesai tidak boleh sebelum tanggal mulai."),
    ("ksm", {"start_date": "30/02/2021"}, "Isi tanggal yang benar."),
    ("ksm", {"ketua": ""}, "Isi nama ketua KSM."),
    ("ksm", {"wage_mandor": "0"}, "Harus antara Rp 1 dan Rp 1.000.000."),
    ("users", {"username": "Faskel"}, "Nama pengguna ini sudah dipakai."),
    ("users", {"username": "a b"}, "Minimal 3 karakter: huruf kecil, angka, titik, - atau _."),
    ("users", {"password": "pendek"}, "Kata sandi baru minimal 10 karakter."),
    ("users", {"password": None}, "Isi kata sandi untuk pengguna baru."),
    ("users", {"kelurahan_ids": None}, "Pilih minimal satu kelurahan untuk fasilitator."),
    ("users", {"role": "bendahara"}, "Pilih KSM untuk bendahara."),
    ("users", {"role": "supervisor"}, "Pilih kota untuk supervisor."),
    ("programme-years", {"year": "2021"}, "Rencana program ini untuk tahun tersebut sudah ada."),
    (
        "programme-years",
        {"tranche_percentages": "70, 20"},
        "Jumlah persen semua tahap harus 100 (sekarang 90).",
    ),
    ("programme-years", {"tranche_percentages": "tujuh puluh"}, "Isi persen dengan angka, dipisah koma"),
    ("programme-years", {"tranche_percentages": "120, -20"}, "Persen tiap tahap harus antara 1 dan 100."),
    ("programme-years", {"wage_share_target": "0"}, "Harus antara 1 dan 100 %."),
]


@pytest.mark.parametrize(("section", "changes", "message"), BAD_INPUT)
def test_bad_input_is_refused_on_the_field(admin, auth, section, changes, message):
    data = valid(section)
    for key, value in changes.items():
        data = _without(data, key) if value is None else {**data, key: value}
    model, before, audits = MODELS[section], count(MODELS[section]), count(AuditLog)

    response = auth.post(f"{LIST_URLS[section]}/new", **data)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="field has-error"' in page
    assert (count(model), count(AuditLog)) == (before, audits)


def test_refused_form_keeps_the_entries(admin, auth):
    page = auth.post("/admin/ksm/new", **{**valid("ksm"), "end_date": "2021-04-30"}).get_data(as_text=True)
    assert 'value="KSM Tanjung Karang 9"' in page
    assert 'value="Normalisasi saluran RT 05"' in page


def test_second_bkm_for_a_kelurahan_is_refused(admin, auth):
    tanjung_karang, before = one(Kelurahan, name="Tanjung Karang"), count(Bkm)
    response = auth.post("/admin/bkm/new", kelurahan_id=tanjung_karang.id, name="BKM Kedua")
    assert response.status_code == 400
    assert "Kelurahan ini sudah punya BKM." in response.get_data(as_text=True)
    assert count(Bkm) == before


def test_edit_keeps_its_own_name_but_not_anothers(admin, auth):
    ampenan = one(Kecamatan, name="Ampenan")
    same = auth.post(f"/admin/kecamatan/{ampenan.id}", kota_id=ampenan.kota_id, name="Ampenan")
    assert same.status_code == 302
    taken = auth.post(f"/admin/kecamatan/{ampenan.id}", kota_id=ampenan.kota_id, name="Cakranegara")
    assert taken.status_code == 400
    assert "Kecamatan ini sudah ada di kota tersebut." in taken.get_data(as_text=True)
    db.session.expire_all()
    assert ampenan.name == "Ampenan"


def test_unique_constraint_backs_up_the_form_check(admin, auth, monkeypatch):
    """Two admins saving the same name at once: the database refuses the second, with the same message."""
    monkeypatch.setattr(Unique, "__call__", lambda self, form, field: None)
    before = count(Kota)
    response = auth.post("/admin/kota/new", **{**valid("kota"), "name": "Mataram"})
    assert response.status_code == 400
    assert "Kota ini sudah ada." in response.get_data(as_text=True)
    assert count(Kota) == before


# Users: scope, sessions, self-protection


def _user_entries(user, **changes):
    entries = {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "password": "",
        "active": "y" if user.active else None,
        "kelurahan_ids": [k.id for k in user.kelurahan],
        "ksm_id": user.ksm_id or "",
        "kota_id": user.kota_id or "",
        **changes,
    }
    return {k: v for k, v in entries.items() if v is not None}


def test_role_change_clears_the_scope_of_the_old_role(admin, auth):
    faskel = one(User, username="faskel")
    kota = one(Kota, name="Mataram")
    response = auth.post(
        f"/admin/users/{faskel.id}", **_user_entries(faskel, role="supervisor", kota_id=kota.id, ksm_id=1)
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (faskel.role, faskel.kota_id, faskel.ksm_id, faskel.kelurahan) == ("supervisor", kota.id, None, [])


@pytest.mark.parametrize("change", [{"active": None}, {"password": "sandi-baru-panjang"}])
def test_deactivation_or_new_password_ends_the_users_sessions(admin, auth, app, change):
    other = signed_in_elsewhere(app, "faskel")
    faskel = one(User, username="faskel")
    assert count(UserSession) == 2

    response = auth.post(f"/admin/users/{faskel.id}", **_user_entries(faskel, **change))

    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).where(UserSession.user_id == faskel.id)) == 0
    changed = "active" if "active" in change else "password_hash"  # the audit names it, never the value
    assert one(AuditLog, action="updated", object_kind="user").detail == {"fields": [changed]}
    with elsewhere(app):
        home = other.get("/")
    assert home.status_code == 302
    assert "/login" in home.location


def test_admin_cannot_deactivate_or_demote_themselves(admin, auth):
    response = auth.post(f"/admin/users/{admin.id}", **_user_entries(admin, active=None))
    assert response.status_code == 400
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in response.get_data(as_text=True)
    response = auth.post(f"/admin/users/{admin.id}", **_user_entries(admin, role="supervisor", kota_id=1))
    assert "Anda tidak dapat mengubah peran akun Anda sendiri." in response.get_data(as_text=True)
    db.session.expire_all()
    assert (admin.active, admin.role) == (True, "admin")


def test_admin_changing_own_password_stays_signed_in(admin, auth, client):
    response = auth.post(f"/admin/users/{admin.id}", **_user_entries(admin, password="Rimba-Kenari-73"))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# Deletes


def test_delete_asks_first_then_deletes_and_audits(admin, auth, client):
    kecamatan = Kecamatan(kota_id=one(Kota, name="Mataram").id, name="Kosong")
    db.session.add(kecamatan)
    db.session.commit()
    kecamatan_id = kecamatan.id
    url = f"/admin/kecamatan/{kecamatan_id}/delete"

    page = client.get(url)
    assert page.status_code == 200
    assert "Yakin hapus Kecamatan Kosong?" in page.get_data(as_text=True)
    assert db.session.get(Kecamatan, kecamatan_id) is not None

    response = auth.post(url)
    assert response.status_code == 302
    assert db.session.get(Kecamatan, kecamatan_id) is None
    entry = one(AuditLog, action="deleted", object_kind="kecamatan")
    assert (entry.object_id, entry.user_id, entry.detail) == (
        kecamatan_id,
        admin.id,
        {"name": "Kecamatan Kosong"},
    )


def test_kelurahan_created_by_admin_can_be_deleted_and_its_audit_stays(admin, auth):
    auth.post("/admin/kelurahan/new", **valid("kelurahan"))
    kelurahan_id = one(Kelurahan, name="Tanjung Karang Permai").id
    created = one(AuditLog, action="created", object_kind="kelurahan")
    assert created.kelurahan_id == kelurahan_id

    assert auth.post(f"/admin/kelurahan/{kelurahan_id}/delete").status_code == 302

    db.session.expire_all()
    assert db.session.get(Kelurahan, kelurahan_id) is None
    assert (created.object_id, created.kelurahan_id) == (kelurahan_id, None)


def _bendahara_ksm():
    return one(User, username="bendahara").ksm


DEPENDANTS = [
    ("kota", lambda: one(Kota, name="Mataram"), "Kota ini masih punya kecamatan."),
    ("kecamatan", lambda: one(Kecamatan, name="Sekarbela"), "Kecamatan ini masih punya kelurahan."),
    ("kelurahan", lambda: one(Kelurahan, name="Monjok"), "Kelurahan ini masih punya BKM."),
    ("ksm", _bendahara_ksm, "KSM ini sudah punya pekerja terdaftar."),
    ("users", lambda: one(User, username="admin"), "Anda tidak dapat menghapus akun Anda sendiri."),
    ("users", lambda: one(User, username="askot"), "Pengguna ini sudah punya riwayat kerja."),
]


@pytest.mark.parametrize(("section", "find", "message"), DEPENDANTS)
def test_delete_with_dependants_is_refused(admin, auth, client, section, find, message):
    row = find()
    if section == "users" and row.username == "askot":
        db.session.add(AuditLog(user_id=row.id, action="verified", object_kind="meeting", object_id=1))
        db.session.commit()
    model, before = MODELS[section], count(MODELS[section])
    url = f"{LIST_URLS[section]}/{row.id}/delete"

    page = client.get(url).get_data(as_text=True)
    assert message in page
    assert "Ya, hapus" not in page
    response = auth.post(url)

    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert count(model) == before


def test_ksm_with_workers_keeps_them(admin, auth):
    ksm = _bendahara_ksm()
    workers = count(Worker)
    auth.post(f"/admin/ksm/{ksm.id}/delete")
    assert count(Worker) == workers > 0


def test_user_who_never_worked_can_be_deleted(admin, auth):
    user = make_user("fasilitator", username="salah-ketik", kelurahan=[one(Kelurahan, name="Pagutan")])
    assert auth.post(f"/admin/users/{user.id}/delete").status_code == 302
    assert db.session.scalar(db.select(User).filter_by(username="salah-ketik")) is None


# Access


def _admin_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("org."):
            url = rule.rule.replace("<int:row_id>", "1")
            yield from ((method, url) for method in ("GET", "POST") if method in rule.methods)


@pytest.mark.parametrize("username", ["faskel", "bendahara", "askot"])
def test_other_roles_get_403_on_every_admin_url(demo, auth, client, username):
    auth.login(username)
    urls = list(_admin_urls(demo))
    assert len(urls) > 25
    for method, url in urls:
        response = client.get(url) if method == "GET" else auth.post(url, name="x")
        assert response.status_code == 403, (method, url)
    assert count(AuditLog) == 0


def test_signed_out_visitor_is_sent_to_login(demo, client):
    response = client.get("/admin/kota")
    assert response.status_code == 302
    assert "/login" in response.location


def test_unknown_row_is_404(admin, client):
    assert client.get("/admin/ksm/99999").status_code == 404
    assert client.get("/admin/ksm?kelurahan_id=abc").status_code == 404
