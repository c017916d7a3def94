"""The table of roles (kotaku_pwa/roles.py) and what is derived from it: view checks, the scope rule
in Python and SQL, the bottom navigation, the offline pages and the admin user form."""

import re

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden, NotFound

from kotaku_pwa import db
from kotaku_pwa.access import get_kelurahan, get_ksm, kelurahan_query, ksm_query, may, place_of, user_scope
from kotaku_pwa.models import Kelurahan, Ksm, User
from kotaku_pwa.org.forms import UserForm
from kotaku_pwa.records.registry import WRITERS
from kotaku_pwa.roles import (
    CAPABILITIES,
    CAPABILITY_KINDS,
    MAX_NAV_ITEMS,
    ROLE_LABELS,
    ROLES,
    SCOPES,
    allows,
    holders,
    kinds_written,
    nav,
)
from kotaku_pwa.scope import can_read
from tests.factories import make_kelurahan, make_kota, make_ksm, make_user

# --- the table itself -------------------------------------------------------------------------------


def test_the_four_roles_of_spec():
    assert list(ROLES) == ["fasilitator", "bendahara", "supervisor", "admin"]
    assert ROLE_LABELS == {
        "fasilitator": "Fasilitator",
        "bendahara": "Bendahara KSM",
        "supervisor": "Supervisor",
        "admin": "Admin",
    }
    assert {name: role.scope for name, role in ROLES.items()} == {
        "fasilitator": "kelurahan",
        "bendahara": "ksm",
        "supervisor": "kota",
        "admin": "all",
    }


@pytest.mark.parametrize("role", list(ROLES.values()), ids=list(ROLES))
def test_every_row_names_known_scopes_capabilities_and_endpoints(app, role):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert role.scope in SCOPES
    assert role.may <= set(CAPABILITIES)
    assert role.home in endpoints
    used = [item.endpoint for item in role.nav]
    used += [*role.offline, *role.offline_per_kelurahan, *role.offline_per_ksm]
    assert set(used) <= endpoints, set(used) - endpoints
    assert len(role.nav) <= MAX_NAV_ITEMS


def test_kinds_written_per_role():
    # docs/sync-protocol.md: who writes which record kind.
    assert kinds_written("fasilitator") == {
        "worker",
        "meeting",
        "attendance",
        "health_check",
        "progress",
        "watsan_survey",
    }
    assert kinds_written("bendahara") == {"attendance", "health_check", "payment", "tranche", "spending"}
    assert kinds_written("supervisor") == {"verification"}  # SPEC: supervisors verify (issue 10)
    assert kinds_written("admin") == set(WRITERS)
    assert kinds_written("tamu") == set()


@pytest.mark.parametrize(("capability", "kind"), list(CAPABILITY_KINDS.items()))
def test_a_form_capability_belongs_to_the_writers_of_its_kind(capability, kind):
    assert holders(capability) == WRITERS[kind]


def test_capabilities_by_hand():
    assert holders("review") == {"supervisor", "admin"}
    assert holders("admin") == {"admin"}
    assert holders("record_workers") == {"fasilitator", "admin"}
    assert not allows("tamu", "review")
    assert not allows("supervisor", "pay")


def test_may_refuses_a_capability_that_is_not_in_the_table():
    with pytest.raises(ValueError, match="unknown capability"):
        may("record_everything")


# --- scope: the Python rule and the SQL queries agree -----------------------------------------------


@pytest.fixture
def places(app):
    """Two kota; in Mataram two kecamatan, three kelurahan (one without KSM); in Lombok Barat one."""
    mataram, lobar = make_kota("Mataram"), make_kota("Lombok Barat")
    tanjung = make_kelurahan("Tanjung Karang", kota=mataram, kecamatan_name="Sekarbela")
    pagutan = make_kelurahan("Pagutan", kota=mataram, kecamatan_name="Mataram")
    kosong = make_kelurahan("Karang Pule", kota=mataram, kecamatan_name="Sekarbela")
    ampenan = make_kelurahan("Ampenan Selatan", kota=lobar, kecamatan_name="Batu Layar")
    ksms = {
        "tk1": make_ksm(tanjung, name="KSM Tanjung Karang 1"),
        "tk2": make_ksm(tanjung, name="KSM Tanjung Karang 2"),
        "pagutan1": make_ksm(pagutan, name="KSM Pagutan 1"),
        "ampenan1": make_ksm(ampenan, name="KSM Ampenan 1"),
    }
    db.session.commit()
    return {"mataram": mataram, "lobar": lobar, "kosong": kosong, "tanjung": tanjung, **ksms}


USERS = {
    "admin": lambda p: make_user("admin"),
    "supervisor of Mataram": lambda p: make_user("supervisor", kota=p["mataram"]),
    "supervisor of Lombok Barat": lambda p: make_user("supervisor", kota=p["lobar"]),
    "supervisor without kota": lambda p: make_user("supervisor"),
    "fasilitator of two kelurahan": lambda p: make_user(
        "fasilitator", kelurahan=[p["kosong"], p["ampenan1"].kelurahan]
    ),
    "fasilitator of Tanjung Karang": lambda p: make_user("fasilitator", kelurahan=[p["tanjung"]]),
    "fasilitator without kelurahan": lambda p: make_user("fasilitator"),
    "bendahara of TK2": lambda p: make_user("bendahara", ksm=p["tk2"]),
    "bendahara without KSM": lambda p: make_user("bendahara"),
    "unknown role": lambda p: make_user("tamu"),
}


@pytest.mark.parametrize("who", list(USERS))
def test_ksm_query_returns_exactly_the_ksms_can_read_allows(places, who):
    user = USERS[who](places)
    scope = user_scope(user)
    every = db.session.scalars(db.select(Ksm)).all()
    expected = {k.id for k in every if can_read(scope, place_of(k))}
    assert set(db.session.scalars(ksm_query(user).with_only_columns(Ksm.id))) == expected


@pytest.mark.parametrize("who", list(USERS))
def test_kelurahan_query_returns_the_kelurahan_read_or_holding_a_ksm_read(places, who):
    """A treasurer reads no kelurahan-wide records, yet their KSM's kelurahan is listed as its place."""
    user = USERS[who](places)
    scope = user_scope(user)
    every = db.session.scalars(db.select(Kelurahan)).all()
    expected = {
        k.id
        for k in every
        if can_read(scope, place_of(k)) or any(can_read(scope, place_of(ksm)) for ksm in k.ksm)
    }
    assert set(db.session.scalars(kelurahan_query(user).with_only_columns(Kelurahan.id))) == expected


def test_scope_queries_by_hand(places):
    """The same agreement is not empty agreement: what each query returns for a few users."""
    names = lambda query: [row.name for row in db.session.scalars(query)]  # noqa: E731
    supervisor = make_user("supervisor", kota=places["mataram"])
    assert names(ksm_query(supervisor)) == ["KSM Pagutan 1", "KSM Tanjung Karang 1", "KSM Tanjung Karang 2"]
    assert names(kelurahan_query(supervisor)) == ["Karang Pule", "Pagutan", "Tanjung Karang"]
    treasurer = make_user("bendahara", ksm=places["tk2"])
    assert names(ksm_query(treasurer)) == ["KSM Tanjung Karang 2"]
    assert names(kelurahan_query(treasurer)) == ["Tanjung Karang"]
    fasilitator = make_user("fasilitator", kelurahan=[places["kosong"], places["ampenan1"].kelurahan])
    assert names(ksm_query(fasilitator)) == ["KSM Ampenan 1"]
    assert names(kelurahan_query(fasilitator)) == ["Ampenan Selatan", "Karang Pule"]
    assert names(ksm_query(make_user("admin"))) == [
        "KSM Ampenan 1",
        "KSM Pagutan 1",
        "KSM Tanjung Karang 1",
        "KSM Tanjung Karang 2",
    ]


# --- the write rule of get_ksm / get_kelurahan -------------------------------------------------------


def _as(app, user):
    context = app.test_request_context()
    context.push()
    login_user(user)
    return context


def test_a_supervisor_reads_a_ksm_but_may_not_open_it_to_write(app, places):
    context = _as(app, make_user("supervisor", kota=places["mataram"]))
    try:
        assert get_ksm(places["tk1"].id) == places["tk1"]
        assert get_kelurahan(places["tanjung"].id) == places["tanjung"]
        with pytest.raises(Forbidden):
            get_ksm(places["tk1"].id, "health_check")
        with pytest.raises(Forbidden):
            get_kelurahan(places["tanjung"].id, "meeting")
    finally:
        context.pop()


def test_a_writer_outside_the_place_gets_404_not_403(app, places):
    context = _as(app, make_user("fasilitator", kelurahan=[places["tanjung"]]))
    try:
        assert get_ksm(places["tk1"].id, "worker") == places["tk1"]
        with pytest.raises(NotFound):
            get_ksm(places["pagutan1"].id, "worker")
    finally:
        context.pop()


def test_a_treasurer_may_not_open_a_kind_they_do_not_write(app, places):
    context = _as(app, make_user("bendahara", ksm=places["tk1"]))
    try:
        assert get_ksm(places["tk1"].id, "payment") == places["tk1"]
        with pytest.raises(Forbidden):
            get_ksm(places["tk1"].id, "worker")
    finally:
        context.pop()


ACCOUNT = {"fasilitator": "faskel", "bendahara": "bendahara", "supervisor": "askot", "admin": "admin"}


def _tk1(demo):
    return db.session.execute(db.select(Ksm).filter_by(name="KSM Tanjung Karang 1")).scalar_one()


@pytest.mark.parametrize(("role", "status"), [("supervisor", 403), ("fasilitator", 200), ("bendahara", 200)])
def test_the_health_check_page_needs_the_right_to_write_health_checks(demo, auth, client, role, status):
    ksm_id = _tk1(demo).id
    auth.login(ACCOUNT[role])
    assert client.get(f"/attendance/{ksm_id}/2021-05-03").status_code == 200  # every role reads TK1
    response = client.get(f"/meetings/ksm/{ksm_id}/health")
    assert response.status_code == status
    if status == 403:
        assert "Anda tidak berwenang membuka halaman ini." in response.get_data(as_text=True)


def test_the_health_check_page_of_an_unknown_ksm_is_403_for_a_supervisor_404_for_a_writer(demo, auth, client):
    missing = _tk1(demo).id + 1000
    auth.login("askot")
    assert client.get(f"/meetings/ksm/{missing}/health").status_code == 403
    auth.logout()
    auth.login("faskel")
    assert client.get(f"/meetings/ksm/{missing}/health").status_code == 404


# --- the bottom navigation --------------------------------------------------------------------------

NAV = {
    "fasilitator": ["Beranda", "Pekerja", "Kehadiran", "Pertemuan", "Kotak keluar"],
    "bendahara": ["Beranda", "Kehadiran", "Upah", "Prokes", "Kotak keluar"],
    "supervisor": ["Beranda", "Dasbor", "Konflik", "Lainnya", "Kotak keluar"],  # issue 10 item 10
    "admin": ["Beranda", "Pekerja", "Konflik", "Admin", "Kotak keluar"],
}


def _nav_links(page):
    bar = re.search(r'<nav class="bottomnav".*?</nav>', page, re.S).group(0)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', bar)


@pytest.mark.parametrize("role", list(NAV))
def test_the_bottom_navigation_of_each_role(demo, auth, client, role):
    auth.login(ACCOUNT[role])
    links = _nav_links(client.get("/").get_data(as_text=True))
    assert [label for _, label in links] == NAV[role]
    assert links[0][0] == "/" and links[-1][0] == "/outbox"
    assert [item.label for item in nav(role)] == NAV[role]


def test_signed_out_pages_keep_home_and_outbox(demo, client):
    assert [label for _, label in _nav_links(client.get("/outbox").get_data(as_text=True))] == [
        "Beranda",
        "Kotak keluar",
    ]


# --- pages kept offline -----------------------------------------------------------------------------


def _offline(auth, client, role):
    auth.login(ACCOUNT[role])
    return client.get("/api/reference").get_json()["pages"]


def test_a_supervisor_keeps_home_outbox_and_each_ksms_day_and_workers(demo, auth, client):
    pages = _offline(auth, client, "supervisor")
    ksms = db.session.scalars(
        ksm_query(db.session.scalars(db.select(User).filter_by(username="askot")).one())
    )
    expected_per_ksm = [
        [f"/attendance/{k.id}/{k.end_date.isoformat()}", f"/workers/?ksm_id={k.id}"] for k in ksms
    ]  # the demo's activity periods ended in 2021: every KSM opens on its last day
    assert pages == ["/", "/outbox", *[url for pair in expected_per_ksm for url in pair]]


def test_a_treasurer_keeps_their_ksms_money_pages_and_no_registration_form(demo, auth, client):
    ksm = _tk1(demo)
    pages = _offline(auth, client, "bendahara")
    assert pages[:5] == ["/", "/outbox", "/attendance/", "/meetings/", "/payments/"]
    assert f"/payments/{ksm.id}/ledger" in pages
    assert f"/payments/{ksm.id}/{ksm.start_date.isoformat()}" in pages
    assert not [p for p in pages if p.startswith("/workers/new")]


def test_only_writers_of_workers_keep_the_registration_form(demo, auth, client):
    ksm = _tk1(demo)
    assert f"/workers/new?ksm_id={ksm.id}" in _offline(auth, client, "fasilitator")
    auth.logout()
    assert f"/workers/new?ksm_id={ksm.id}" in _offline(auth, client, "admin")
    auth.logout()
    assert not [p for p in _offline(auth, client, "supervisor") if p.startswith("/workers/new")]


# --- the admin user form ----------------------------------------------------------------------------


def test_the_user_forms_role_choices_are_the_table(app):
    with app.test_request_context():
        form = UserForm(meta={"csrf": False})
    choices = [(choice.value, choice.label) for choice in form.role.choices if choice.value]
    assert [value for value, _ in choices] == list(ROLES)
    assert dict(choices) == ROLE_LABELS


def _current(page):
    bar = re.search(r'<nav class="bottomnav".*?</nav>', page, re.S).group(0)
    return re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', bar)


def test_the_navigation_marks_the_page_it_is_on_each_time(demo, auth, client):
    # The bar is rendered once per role and page and then remembered (web.py `bottom_nav`).
    auth.login("bendahara")
    for _ in range(2):
        assert _current(client.get("/").get_data(as_text=True)) == ["Beranda"]
        assert _current(client.get("/attendance/").get_data(as_text=True)) == ["Kehadiran"]
        assert _current(client.get("/payments/").get_data(as_text=True)) == ["Upah"]
    auth.logout()
    auth.login("faskel")  # the same pages, another role: its own bar
    assert [label for _, label in _nav_links(client.get("/attendance/").get_data(as_text=True))] == NAV[
        "fasilitator"
    ]
    assert _current(client.get("/attendance/").get_data(as_text=True)) == ["Kehadiran"]
