"""Who may open what over HTTP: every role × every URL, scope by guessed ids (IDOR), the scoped API
and CSV export, security headers and the installable shell. Uses the demo data of Kota Mataram."""

import base64
import csv
import hashlib
import io
import json
import re
import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import current_app, url_for

from kotaku_pwa import create_app, db
from kotaku_pwa.images import MAGIC
from kotaku_pwa.models import (
    Attendance,
    HealthCheck,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    Meeting,
    Payment,
    User,
    Worker,
)
from kotaku_pwa.org.resources import RESOURCES
from kotaku_pwa.storage import stored
from kotaku_pwa.wages import pay_periods
from tests.conftest import TEST_CONFIG, Auth
from tests.factories import make_kelurahan, make_kota, make_ksm, new_uuid

DAY = "2021-05-03"
ROLES = ("fasilitator", "bendahara", "supervisor", "admin")
ACCOUNT = {"fasilitator": "faskel", "bendahara": "bendahara", "supervisor": "askot", "admin": "admin"}
ALL = set(ROLES)

# Who gets 200 on each page (the others get 403), by endpoint. The pages themselves come from the app's
# url_map (ROUTES below), so a new page fails test_every_page_declares_who_may_open_it until it is added
# here, to PUBLIC, to API or to NOT_IN_MATRIX.
ALLOWED = {
    "home.index": ALL,
    "auth.password": ALL,
    "auth.account": ALL,
    "workers.index": ALL,
    "workers.new": {"fasilitator", "admin"},
    "workers.show": ALL,
    "workers.edit": {"fasilitator", "admin"},
    "attendance.index": ALL,
    "attendance.day": ALL,
    "attendance.week": ALL,
    "payments.index": ALL,
    "payments.current": ALL,
    "payments.period": ALL,
    "payments.ledger_page": ALL,
    "payments.sheet": ALL,
    "payments.signature": ALL,
    "payments.reverse": {"bendahara", "admin"},
    "meetings.index": ALL,
    "meetings.new": {"fasilitator", "admin"},
    "meetings.edit": {"fasilitator", "admin"},
    "meetings.edit_check": {"fasilitator", "bendahara", "admin"},
    "meetings.health": {"fasilitator", "bendahara", "admin"},
    "meetings.meeting_health": {"fasilitator", "bendahara", "admin"},
    "meetings.detail": ALL,
    "meetings.daftar_hadir": ALL,
    "meetings.photo": ALL,
    "conflicts.index": {"supervisor", "admin"},
    "verification.index": {"supervisor", "admin"},
    "audit.index": {"supervisor", "admin"},
    "home.more": {"supervisor"},  # the roles with menu entries beyond the bottom bar (roles.py `more`)
    "dashboard.export_csv": {"supervisor", "admin"},
    "dashboard.export_xlsx": {"supervisor", "admin"},
    "dashboard.index": {"supervisor", "admin"},
    "dashboard.kelurahan": {"supervisor", "admin"},
    "dashboard.ksm": {"supervisor", "admin"},
    "org.index": {"admin"},
    "progress.page": ALL,
    "progress.items": {"fasilitator", "admin"},
    "progress.gallery": ALL,
    "progress.photo": ALL,
    "progress.lpj_summary": ALL,
    "progress.lpj_zip": ALL,
    "progress.ksm_weekly": ALL,
    "progress.ksm_weekly_xlsx": ALL,
    "progress.kelurahan_weekly_page": {"fasilitator", "supervisor", "admin"},
    "progress.kelurahan_weekly_xlsx": {"fasilitator", "supervisor", "admin"},
    "progress.board": ALL,
    "dfat.index": ALL,  # the DFAT kelurahan in scope (none for the demo faskel and bendahara)
}
ADMIN_SCREENS = "org."  # every other admin screen (list, new, edit, delete of each table): admin only
API = {"sync.reference": ALL}
PUBLIC = {
    "pwa.outbox",
    "pwa.offline",
    "pwa.manifest",
    "pwa.service_worker",
    "sync.healthz",
    "sync.ping",
    "sync.csrf_token",
}
NOT_IN_MATRIX = {
    "static": "files, not pages (the icons are fetched in test_manifest)",
    "auth.login": "sends a signed-in user home; sign-in itself is tests/test_auth.py",
    "attendance.go": "a redirect to attendance.day by design (the date picker's fallback), never a page",
    # DFAT kelurahan only, and the demo faskel and bendahara work in CFW ones: roles, scope and the CSP
    # of these pages are tests/test_dfat.py's.
    "dfat.kelurahan": "DFAT kelurahan only: tests/test_dfat.py",
    "dfat.survey_new": "DFAT kelurahan only: tests/test_dfat.py",
    "dfat.tipp": "DFAT kelurahan only: tests/test_dfat.py",
    "dfat.assessment": "DFAT kelurahan only: tests/test_dfat.py",
    "dfat.tipp_from_meeting": "a TIPP meeting of a DFAT kelurahan only: tests/test_dfat.py",
    "dashboard.index": "a redirect home until the dashboard (issue 10, its own branch) lands",
    "progress.public_board": "public by a signed token, no sign-in: tests/test_progress.py",
}


def _get_routes():
    """Endpoint → URL rule of every GET route of the app (the blueprints are registered by create_app)."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {rule.endpoint: rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}


ROUTES = _get_routes()
PAGES = sorted(e for e in ROUTES if e not in API and e not in PUBLIC and e not in NOT_IN_MATRIX)


def _allowed(endpoint):
    if endpoint in ALLOWED:
        return ALLOWED[endpoint]
    return {"admin"} if endpoint.startswith(ADMIN_SCREENS) else API.get(endpoint)


def test_every_page_declares_who_may_open_it():
    assert [e for e in PAGES if _allowed(e) is None] == []
    assert set(ALLOWED) | set(API) | PUBLIC | set(NOT_IN_MATRIX) <= set(ROUTES)  # none is stale
    assert {"payments.index", "meetings.index", "org.ksm_edit"} <= set(PAGES)


def _ksm(name):
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()


def _kelurahan(name):
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


@pytest.fixture
def ids(demo):
    return {
        "tk1": _ksm("KSM Tanjung Karang 1").id,
        "tk2": _ksm("KSM Tanjung Karang 2").id,
        "pagutan1": _ksm("KSM Pagutan 1").id,
        "kebon_sari1": _ksm("KSM Kebon Sari 1").id,
        "mataram_timur1": _ksm("KSM Mataram Timur 1").id,
    }


@pytest.fixture
def samples(ids, app):
    """A value for every part of a URL: rows of the bendahara's KSM (in every demo account's scope).

    The demo has no meeting and no payment: one of each is stored here, with a photo and a signature.
    """
    ksm = db.session.get(Ksm, ids["tk1"])
    worker = db.session.scalars(db.select(Worker).filter_by(ksm_id=ksm.id).order_by(Worker.id)).first()
    faskel = db.session.scalars(db.select(User).filter_by(username="faskel")).one()
    bendahara = db.session.scalars(db.select(User).filter_by(username="bendahara")).one()
    start, end = pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period)[0]
    synced = {"payload_hash": "0" * 64}
    meeting = Meeting(
        kelurahan_id=ksm.kelurahan_id,
        ksm_id=ksm.id,
        type="coaching_ksm",
        programme="CFW",
        held_on=start,
        place="Balai warga",
        **stored("photo", MAGIC["image/png"] + b"\0" * 16),
        uuid=new_uuid(),
        created_by_id=faskel.id,
        **synced,
    )
    payment = Payment(
        ksm_id=ksm.id,
        worker_id=worker.id,
        period_start=start,
        period_end=end,
        days=1,
        daily_rate=76000,
        amount=76000,
        paid_on=end,
        method="cash",
        **stored("signature", MAGIC["image/png"] + b"\0" * 16),
        uuid=new_uuid(),
        created_by_id=bendahara.id,
        **synced,
    )
    check = HealthCheck(
        kelurahan_id=ksm.kelurahan_id,
        ksm_id=ksm.id,
        checked_on=start,
        setting="worksite",
        people_present=10,
        masks_worn=10,
        distancing=True,
        handwash_soap=True,
        temperature_checked=True,
        uuid=new_uuid(),
        created_by_id=bendahara.id,
        **synced,
    )
    db.session.add_all([meeting, payment, check])
    db.session.commit()
    rows = {r.name: db.session.scalars(db.select(r.model.id).order_by(r.model.id)).first() for r in RESOURCES}
    return {
        "ksm_id": ksm.id,
        "kelurahan_id": ksm.kelurahan_id,
        "day": DAY,
        "start": start.isoformat(),
        "sheet": "daftar-upah",
        "meeting_id": meeting.id,
        "payment_id": payment.id,
        "check_id": check.id,
        "uuid": worker.uuid,
        "kind": "meeting",
        "record_id": meeting.id,
        **{f"row_id of {name}": row_id for name, row_id in rows.items()},
    }


def _url(endpoint, samples):
    """The endpoint's URL, its parts filled in from `samples` (an admin row id: a row of that table)."""
    table = endpoint.removeprefix(ADMIN_SCREENS).rpartition("_")[0]
    values = {
        name: samples[f"row_id of {table}" if name == "row_id" else name]
        for name in ROUTES[endpoint].arguments
    }
    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _signed_in(auth, role):
    response = auth.login(ACCOUNT[role])
    assert response.status_code == 302, f"{role} could not sign in"
    return auth.client


def _is_login_redirect(response):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


# --- anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", PAGES)
def test_anonymous_pages_redirect_to_login(samples, client, endpoint):
    response = client.get(_url(endpoint, samples))
    assert _is_login_redirect(response), (response.status_code, response.headers.get("Location"))


@pytest.mark.parametrize("endpoint", API)
def test_anonymous_api_gets_json_401(ids, client, endpoint):
    response = client.get(ROUTES[endpoint].rule)
    assert response.status_code == 401
    assert response.is_json
    assert "Location" not in response.headers
    assert response.get_json()["status"] == 401


@pytest.mark.parametrize("with_token", [False, True], ids=["no-csrf", "csrf"])
def test_anonymous_sync_gets_json_401_not_a_redirect(demo, client, with_token):
    headers = {"X-CSRFToken": Auth(client).token()} if with_token else {}
    response = client.post("/api/sync", json={"records": []}, headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert "Location" not in response.headers


@pytest.mark.parametrize("endpoint", sorted(PUBLIC))
def test_public_urls_need_no_sign_in(demo, client, endpoint):
    response = client.get(ROUTES[endpoint].rule)
    assert response.status_code == 200, endpoint
    assert "Location" not in response.headers


# --- signed in: the role matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", PAGES + list(API) + sorted(PUBLIC))
def test_role_matrix(samples, client, auth, role, endpoint):
    _signed_in(auth, role)
    allowed = ALL if endpoint in PUBLIC else _allowed(endpoint)
    response = client.get(_url(endpoint, samples))
    assert response.status_code == (200 if role in allowed else 403), (role, endpoint)
    if response.status_code == 403:
        assert "Anda tidak berwenang membuka halaman ini." in response.get_data(as_text=True)
    if response.mimetype == "text/html":
        _assert_works_under_the_csp(response.get_data(as_text=True), _csp(response)["style-src"])


def _assert_works_under_the_csp(page, style_src=("'self'",)):
    """HTML that the strict CSP does not break: no inline script, event handler or style attribute, and
    no inline <style> but one whose hash the CSP's `style-src` names (a first visit's stylesheet)."""
    assert '<html lang="id">' in page
    # A JSON data island (an edit form's current version) is data, never run.
    assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', page), "inline <script>"
    for style in re.findall(r"<style[^>]*>(.*?)</style>", page, re.S):
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in style_src, "inline <style> the CSP does not allow"
    assert page.count("<style") == len(re.findall(r"<style[^>]*>.*?</style>", page, re.S))
    assert not re.search(r"\sstyle\s*=", page), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert "javascript:" not in page


def test_csp_check_catches_inline_code():
    for bad in (
        "<script>alert(1)</script>",
        '<p style="color:red">',
        '<a onclick="x()">',
        "<style>p{}</style>",
    ):
        with pytest.raises(AssertionError):
            _assert_works_under_the_csp(f'<html lang="id">{bad}')
    _assert_works_under_the_csp('<html lang="id"><script src="/static/js/a.js" defer></script>')
    allowed = "'sha256-" + base64.b64encode(hashlib.sha256(b"p{}").digest()).decode() + "'"
    _assert_works_under_the_csp('<html lang="id"><style>p{}</style>', ["'self'", allowed])
    with pytest.raises(AssertionError):
        _assert_works_under_the_csp('<html lang="id"><style>p{color:red}</style>', ["'self'", allowed])
    _assert_works_under_the_csp('<html lang="id"><script type="application/json" data-current>{}</script>')


# --- scope: guessed ids (IDOR) ----------------------------------------------------------------------

SCOPED_URLS = ["/attendance/{ksm}/" + DAY, "/attendance/{ksm}/" + DAY + "/week", "/workers/?ksm_id={ksm}"]


@pytest.mark.parametrize("url", SCOPED_URLS)
@pytest.mark.parametrize(
    ("role", "ksm", "status"),
    [
        ("fasilitator", "tk1", 200),
        ("fasilitator", "tk2", 200),
        ("fasilitator", "pagutan1", 200),
        ("fasilitator", "kebon_sari1", 404),
        ("fasilitator", "mataram_timur1", 404),
        ("bendahara", "tk1", 200),
        ("bendahara", "tk2", 404),
        ("bendahara", "pagutan1", 404),
        ("bendahara", "kebon_sari1", 404),
        ("supervisor", "kebon_sari1", 200),
        ("supervisor", "tk2", 200),
        ("admin", "kebon_sari1", 200),
    ],
)
def test_scope_by_ksm_id(ids, client, auth, role, ksm, status, url):
    _signed_in(auth, role)
    response = client.get(url.format(ksm=ids[ksm]))
    assert response.status_code == status, (role, ksm, url)
    if status == 404:
        page = response.get_data(as_text=True)
        assert "Halaman atau data tidak ditemukan." in page
        # Nothing of the other KSM leaks into the error page.
        assert _ksm_name(ksm) not in page


def _ksm_name(key):
    return {
        "tk1": "KSM Tanjung Karang 1",
        "tk2": "KSM Tanjung Karang 2",
        "pagutan1": "KSM Pagutan 1",
        "kebon_sari1": "KSM Kebon Sari 1",
        "mataram_timur1": "KSM Mataram Timur 1",
    }[key]


@pytest.mark.parametrize("url", SCOPED_URLS)
@pytest.mark.parametrize("role", ROLES)
def test_unknown_or_malformed_ksm_id_is_404(ids, client, auth, role, url):
    _signed_in(auth, role)
    missing = max(ids.values()) + 1000
    assert client.get(url.format(ksm=missing)).status_code == 404


@pytest.mark.parametrize("url", SCOPED_URLS)
def test_supervisor_of_another_kota_gets_404(ids, client, auth, url):
    other_ksm = make_ksm(make_kelurahan("Ampenan Selatan", kota=make_kota("Lombok Barat")), name="KSM Lain")
    db.session.commit()
    _signed_in(auth, "supervisor")
    assert client.get(url.format(ksm=other_ksm.id)).status_code == 404
    # The admin sees every kota.
    auth.logout()
    _signed_in(auth, "admin")
    assert client.get(url.format(ksm=other_ksm.id)).status_code == 200


def test_fasilitator_cannot_open_the_registration_form_for_another_kelurahan(ids, client, auth):
    _signed_in(auth, "fasilitator")
    assert client.get(f"/workers/new?ksm_id={ids['tk1']}").status_code == 200
    assert client.get(f"/workers/new?ksm_id={ids['kebon_sari1']}").status_code == 404


def test_attendance_day_lists_only_that_ksms_workers(ids, client, auth):
    _signed_in(auth, "bendahara")
    page = client.get(f"/attendance/{ids['tk1']}/{DAY}").get_data(as_text=True)
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ids["tk1"])).all()
    assert len(workers) == 12
    boxes = re.findall(
        r'name="present"[^>]*value="([0-9a-f-]{36})"|value="([0-9a-f-]{36})"[^>]*name="present"', page
    )
    assert {a or b for a, b in boxes} == {w.uuid for w in workers}


@pytest.mark.parametrize("role", ROLES)
def test_pages_never_show_a_nik_or_phone_unmasked(ids, client, auth, role):
    _signed_in(auth, role)
    workers = db.session.scalars(db.select(Worker)).all()
    for url in (
        "/workers/",
        f"/workers/?ksm_id={ids['tk1']}",
        f"/attendance/{ids['tk1']}/{DAY}",
        "/api/reference",
    ):
        body = client.get(url).get_data(as_text=True)
        for worker in workers:
            assert worker.nik not in body, (role, url)
            assert worker.phone not in body, (role, url)


def test_workers_page_shows_masked_nik(ids, client, auth):
    _signed_in(auth, "fasilitator")
    body = client.get(f"/workers/?ksm_id={ids['tk1']}").get_data(as_text=True)
    worker = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ids["tk1"]).limit(1)).one()
    assert f"{worker.nik[:4]}••••••••{worker.nik[-4:]}" in body


# --- /api/reference ---------------------------------------------------------------------------------


def _reference(auth, role):
    client = _signed_in(auth, role)
    response = client.get("/api/reference")
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def _ids_of(rows):
    return {row["id"] for row in rows}


def _ksm_ids_in(kelurahan_ids):
    return set(db.session.scalars(db.select(Ksm.id).where(Ksm.kelurahan_id.in_(kelurahan_ids))))


def test_reference_for_fasilitator(ids, auth):
    data = _reference(auth, "fasilitator")
    kelurahan = {_kelurahan("Tanjung Karang").id, _kelurahan("Pagutan").id}
    assert {k["name"] for k in data["kelurahan"]} == {"Tanjung Karang", "Pagutan"}
    assert _ids_of(data["kelurahan"]) == kelurahan
    assert _ids_of(data["ksm"]) == _ksm_ids_in(kelurahan)
    assert {k["kelurahan_id"] for k in data["ksm"]} == kelurahan
    assert ids["kebon_sari1"] not in _ids_of(data["ksm"])
    worker_ksms = {w["ksm_id"] for w in data["workers"]}
    assert worker_ksms <= _ksm_ids_in(kelurahan)
    assert len(data["workers"]) == 12


def test_reference_for_bendahara(ids, auth):
    data = _reference(auth, "bendahara")
    assert _ids_of(data["ksm"]) == {ids["tk1"]}
    assert [k["name"] for k in data["kelurahan"]] == ["Tanjung Karang"]
    assert {w["ksm_id"] for w in data["workers"]} == {ids["tk1"]}


def test_reference_for_supervisor(ids, auth):
    # A kelurahan of another kota stays out of the askot's reference.
    other = make_ksm(make_kelurahan("Gerung", kota=make_kota("Lombok Barat")), name="KSM Gerung 1")
    db.session.commit()
    data = _reference(auth, "supervisor")
    mataram = set(
        db.session.scalars(db.select(Kelurahan.id).join(Kecamatan).join(Kota).where(Kota.name == "Mataram"))
    )
    assert len(mataram) >= 13
    assert _ids_of(data["kelurahan"]) == mataram
    assert _ids_of(data["ksm"]) == _ksm_ids_in(mataram)
    assert other.id not in _ids_of(data["ksm"])


def test_reference_for_admin_covers_every_kota(ids, auth):
    other = make_ksm(make_kelurahan("Gerung", kota=make_kota("Lombok Barat")), name="KSM Gerung 1")
    db.session.commit()
    data = _reference(auth, "admin")
    assert other.id in _ids_of(data["ksm"])
    assert _ids_of(data["ksm"]) == set(db.session.scalars(db.select(Ksm.id)))


def test_reference_workers_carry_the_documented_fields(ids, auth):
    data = _reference(auth, "bendahara")
    for worker in data["workers"]:
        assert {"uuid", "ksm_id", "name", "category"} <= set(worker)
        assert "nik" not in worker and "phone" not in worker
    for ksm in data["ksm"]:
        assert {"id", "name", "kelurahan_id", "wage_rates"} <= set(ksm)


@pytest.mark.parametrize("role", ROLES)
def test_reference_wage_rates_and_ksm_override(ids, auth, role):
    kota = db.session.execute(db.select(Kota).filter_by(name="Mataram")).scalar_one()
    kota_rates = {"pekerja": kota.wage_pekerja, "tukang": kota.wage_tukang, "mandor": kota.wage_mandor}
    assert kota_rates == {"pekerja": 76000, "tukang": 85000, "mandor": 95000}
    tk1 = db.session.get(Ksm, ids["tk1"])
    tk1.wage_tukang = 90000
    db.session.commit()

    data = _reference(auth, role)
    assert data["wage_rates"] == kota_rates
    by_id = {k["id"]: k for k in data["ksm"]}
    assert by_id[ids["tk1"]]["wage_rates"] == {"pekerja": 76000, "tukang": 90000, "mandor": 95000}
    for ksm_id, ksm in by_id.items():
        assert set(ksm["wage_rates"]) == {"pekerja", "tukang", "mandor"}
        if ksm_id != ids["tk1"]:
            assert ksm["wage_rates"] == kota_rates


def test_reference_is_not_cached(ids, client, auth):
    _signed_in(auth, "fasilitator")
    assert "no-store" in client.get("/api/reference").headers["Cache-Control"]


# --- the dashboard CSV ------------------------------------------------------------------------------

HEADER = "kelurahan,ksm,workers,women_workers,hok,wages_due,wages_paid,meetings,health_checks"
FURTHER = (
    "wages_overpaid",
    "payments_flagged",
    "progress_percent",
    "water_access_percent",
    "sanitation_access_percent",
    "verified_periods",
    "returned_periods",
)


def _csv(client):
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    return text, list(csv.DictReader(io.StringIO(text)))


def _expected_wages_due(kelurahan_name):
    """Each present HOK × the rate in force for its worker's KSM and category, computed row by row."""
    total = 0
    rows = db.session.execute(
        db.select(Attendance, Worker, Ksm)
        .join(Worker, Attendance.worker_id == Worker.id)
        .join(Ksm, Attendance.ksm_id == Ksm.id)
        .join(Kelurahan, Ksm.kelurahan_id == Kelurahan.id)
        .where(Kelurahan.name == kelurahan_name)
    ).all()
    for attendance, worker, ksm in rows:
        if not attendance.present:
            continue
        kota = ksm.kelurahan.kecamatan.kota
        override = getattr(ksm, f"wage_{worker.category}")
        total += override if override is not None else getattr(kota, f"wage_{worker.category}")
    return total, sum(1 for a, _, _ in rows if a.present)


def test_csv_for_supervisor(ids, client, auth):
    # A KSM override for tukang, and a kelurahan of another kota (not the askot's).
    db.session.get(Ksm, ids["tk1"]).wage_tukang = 90000
    make_ksm(make_kelurahan("Gerung", kota=make_kota("Lombok Barat")), name="KSM Gerung 1")
    db.session.commit()
    _signed_in(auth, "supervisor")
    text, rows = _csv(client)

    # docs/contracts.md: the header starts with these columns; the further ones follow, in any order.
    assert text.splitlines()[0].startswith(HEADER + ",")
    assert set(text.splitlines()[0].split(",")[9:]) == set(FURTHER)
    mataram = set(
        db.session.scalars(db.select(Kelurahan.name).join(Kecamatan).join(Kota).where(Kota.name == "Mataram"))
    )
    names = [row["kelurahan"] for row in rows]
    assert len(names) == len(set(names)) == len(mataram)
    assert set(names) == mataram

    by_name = {row["kelurahan"]: row for row in rows}
    tk = by_name["Tanjung Karang"]
    due, hok = _expected_wages_due("Tanjung Karang")
    assert hok > 0 and due > 0
    assert int(tk["hok"]) == hok
    assert int(tk["wages_due"]) == due
    assert int(tk["ksm"]) == len(_ksm_ids_in({_kelurahan("Tanjung Karang").id}))
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ids["tk1"])).all()
    assert int(tk["workers"]) == len(workers) == 12
    assert int(tk["women_workers"]) == sum(w.gender == "P" for w in workers)
    # Money in whole rupiah, no formatting; every count a plain integer.
    for row in rows:
        for column in HEADER.split(",")[1:]:
            assert re.fullmatch(r"\d+", row[column]), (column, row[column])
    # A kelurahan without attendance.
    assert by_name["Kebon Sari"]["hok"] == "0"
    assert by_name["Kebon Sari"]["wages_due"] == "0"


def test_csv_wages_due_follows_the_override(ids, client, auth):
    _signed_in(auth, "supervisor")
    before = {r["kelurahan"]: int(r["wages_due"]) for r in _csv(client)[1]}["Tanjung Karang"]
    tukang_hok = db.session.scalar(
        db.select(db.func.count())
        .select_from(Attendance)
        .join(Worker, Attendance.worker_id == Worker.id)
        .where(Attendance.ksm_id == ids["tk1"], Attendance.present.is_(True), Worker.category == "tukang")
    )
    assert tukang_hok > 0
    db.session.get(Ksm, ids["tk1"]).wage_tukang = 100000
    db.session.commit()
    after = {r["kelurahan"]: int(r["wages_due"]) for r in _csv(client)[1]}["Tanjung Karang"]
    assert after - before == tukang_hok * (100000 - 85000)


def test_csv_for_admin_covers_every_kota(ids, client, auth):
    make_ksm(make_kelurahan("Gerung", kota=make_kota("Lombok Barat")), name="KSM Gerung 1")
    db.session.commit()
    _signed_in(auth, "admin")
    _, rows = _csv(client)
    assert {r["kelurahan"] for r in rows} == set(db.session.scalars(db.select(Kelurahan.name)))


def test_csv_is_not_cached_and_is_an_attachment(ids, client, auth):
    _signed_in(auth, "supervisor")
    response = client.get("/dashboard/export.csv")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment")


# --- headers ----------------------------------------------------------------------------------------


def _csp(response):
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("url", ["/login", "/", "/offline", "/api/ping", "/sw.js", "/tidak-ada"])
def test_security_headers(demo, client, auth, url):
    _signed_in(auth, "fasilitator")
    response = client.get(url)
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = _csp(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "same-origin",
        "no-referrer",
        "strict-origin-when-cross-origin",
    }


@pytest.mark.parametrize("url", ["/login", "/", "/workers/", "/attendance/", "/offline", "/outbox"])
def test_html_pages_vary_on_hx_request(demo, client, auth, url):
    _signed_in(auth, "fasilitator")
    response = client.get(url)
    assert response.mimetype == "text/html"
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "hx-request" in vary


def test_service_worker_is_never_http_cached(demo, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers.get("Service-Worker-Allowed", "/") == "/"


# --- the manifest and its icons ---------------------------------------------------------------------


def _png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_manifest(demo, client, app):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    for key in ("name", "short_name", "id", "start_url", "scope"):
        assert manifest.get(key), key
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    assert manifest["scope"] == "/"

    icons = manifest["icons"]
    sizes = {icon["sizes"] for icon in icons}
    assert {"192x192", "512x512"} <= sizes
    assert any("maskable" in icon.get("purpose", "").split() for icon in icons)
    assert any("any" in icon.get("purpose", "any").split() and icon["sizes"] == "192x192" for icon in icons)

    static = Path(app.static_folder)
    for icon in icons:
        assert icon["type"] == "image/png"
        path = urlsplit(icon["src"]).path
        assert path.startswith(app.static_url_path + "/")
        on_disk = static / path[len(app.static_url_path) + 1 :]
        width, height = _png_size(on_disk.read_bytes())
        assert f"{width}x{height}" == icon["sizes"], icon
        served = client.get(path)
        try:
            assert served.status_code == 200
            assert served.mimetype == "image/png"
            assert _png_size(served.get_data()) == (width, height)
        finally:
            served.close()


# --- error pages ------------------------------------------------------------------------------------


def test_404_page_in_indonesian(demo, client):
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert '<html lang="id">' in page
    assert "Halaman atau data tidak ditemukan." in page
    assert "Not Found" not in page


def test_403_page_in_indonesian(demo, client, auth):
    _signed_in(auth, "bendahara")
    response = client.get("/admin/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Anda tidak berwenang membuka halaman ini." in page
    assert "Forbidden" not in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_api_url_is_json_404(demo, client, auth, signed_in):
    if signed_in:
        _signed_in(auth, "admin")
    response = client.get("/api/unknown")
    assert response.status_code == 404
    assert response.is_json
    body = response.get_json()
    assert body["status"] == 404
    assert body["error"] == "Halaman atau data tidak ditemukan."


def test_api_wrong_method_is_json_405(demo, client):
    response = client.get("/api/sync")
    assert response.status_code == 405
    assert response.is_json


def test_demo_accounts_exist(demo):
    assert set(db.session.scalars(db.select(User.username))) == set(ACCOUNT.values())
