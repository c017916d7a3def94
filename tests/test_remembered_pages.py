"""Issue 14: pages remembered per process until a write changes what they may show
(kotaku_pwa/remembered_pages.py). A remembered page costs one statement, the sign-in's; a write by
anyone who may change what it shows, in this process or another, makes the next request render it."""

from datetime import date

import pytest
from flask import flash

from kotaku_pwa import create_app, db, remembered_pages
from kotaku_pwa.attendance import routes as attendance_routes
from kotaku_pwa.models import PageVersion, User, Worker
from tests.conftest import Auth
from tests.factories import PASSWORD, make_kelurahan, make_kota, make_ksm, make_user, nik, worker_record
from tests.test_query_count import counted
from tests.test_sync import demo_worker, ksm, send_one, sign_in


def _day():
    return f"/attendance/{ksm().id}/2021-05-03"


def _statements(auth, url, **headers):
    """The page, and how many statements its request ran (1: the sign-in's only, a remembered page)."""
    with counted() as statements:
        response = auth.client.get(url, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def _seen(auth, url):
    """Asked for twice: the first may write the session's last-seen time; the second is remembered."""
    auth.client.get(url)
    return _statements(auth, url)


@pytest.mark.parametrize("user", ["bendahara", "faskel", "askot"])
def test_a_page_asked_for_again_is_the_same_page_for_one_statement(demo, auth, user):
    sign_in(auth, user)
    url = {"bendahara": _day(), "faskel": "/", "askot": "/dashboard/"}[user]
    first, _ = _seen(auth, url)
    again, statements = _statements(auth, url)
    assert statements == 1
    assert again == first


def test_a_write_through_the_sync_shows_on_the_next_request(demo, auth):
    sign_in(auth, "faskel")
    before, _ = _seen(auth, _day())
    worker = demo_worker()
    record = {
        "uuid": "7a1f0c52-3c1e-4d55-9d7e-2f3f0e5b1a01",
        "kind": "attendance",
        "recorded_at": "2021-05-03T16:00:00+08:00",
        "data": {"ksm_id": ksm().id, "worker_uuid": worker.uuid, "work_date": "2021-05-03", "present": True},
    }
    assert send_one(auth, record)["status"] == "created"
    after, statements = _statements(auth, _day())
    assert statements > 1
    assert after != before
    assert after.count("checked") == before.count("checked") + 1


def test_a_write_of_another_process_shows_on_the_next_request(demo, auth, app):
    """Another server process (another app on the same database) renames a worker: this one's
    remembered page is not shown again."""
    sign_in(auth, "bendahara")
    worker_id, name = demo_worker().id, demo_worker().name
    page, _ = _seen(auth, _day())
    assert name in page
    db.session.commit()  # this test's reads end: the other process may write
    other = create_app({**app.config, "TESTING": True})
    with other.app_context():
        db.session.get(Worker, worker_id).name = "Nama Dari Proses Lain"
        db.session.commit()
        db.session.remove()
    page, statements = _statements(auth, _day())
    assert statements > 1
    assert "Nama Dari Proses Lain" in page
    with other.app_context():
        db.engine.dispose()


def test_writes_in_another_kota_leave_a_kotas_pages_remembered(demo, auth, app):
    """A facilitator of another kota records a worker: Mataram's pages stay remembered, the pages of
    a user who sees every kota do not; a write in Mataram reaches Mataram's."""
    kota = make_kota("Bima")
    kelurahan = make_kelurahan("Paruga", kota=kota, kecamatan_name="Rasanae Barat")
    elsewhere = make_ksm(kelurahan, name="KSM Paruga 1", start=date(2021, 4, 15), end=date(2021, 7, 15))
    make_user("fasilitator", username="faskel-bima", kelurahan=[kelurahan])
    viewers = {name: sign_in(Auth(app.test_client()), name) for name in ("bendahara", "askot", "admin")}
    urls = {"bendahara": _day(), "askot": "/dashboard/", "admin": "/"}
    for name, viewer in viewers.items():
        _seen(viewer, urls[name])

    bima = Auth(app.test_client())
    bima.login("faskel-bima", PASSWORD)
    assert send_one(bima, worker_record(elsewhere.id, nik=nik("527201", serial=7)))["status"] == "created"
    for name, viewer in viewers.items():
        _, statements = _statements(viewer, urls[name])
        assert (statements == 1) == (name != "admin"), name

    sign_in(auth, "faskel")
    assert send_one(auth, worker_record(ksm().id, nik=nik(serial=8)))["status"] == "created"
    for name, viewer in viewers.items():
        assert _statements(viewer, urls[name])[1] > 1, name


def _set_counter(kota_id, n):
    """A counter set outright (a write to page_version itself is not counted)."""
    db.session.execute(db.delete(PageVersion).where(PageVersion.kota_id == kota_id))
    db.session.add(PageVersion(kota_id=kota_id, n=n))
    db.session.commit()


def test_a_user_moved_to_another_kota_never_gets_the_pages_of_the_old_one(demo, auth):
    """Found by a walk through the app: counters that add up to what they did before the move."""
    bima = make_kota("Bima")
    db.session.commit()
    askot = db.session.scalar(db.select(User).where(User.username == "askot"))
    mataram = askot.kota_id
    _set_counter(remembered_pages.EVERYTHING, 10)
    _set_counter(mataram, 5)
    sign_in(auth, "askot")
    page, _ = _seen(auth, "/")
    assert "Tanjung Karang" in page
    askot.kota_id = bima.id  # as the admin screen does; the user's sessions go on
    db.session.commit()
    _set_counter(remembered_pages.EVERYTHING, 15)  # the sum the user saw before: 10 + 5
    page, statements = _statements(auth, "/")
    assert statements > 1
    assert "Tanjung Karang" not in page


def test_each_signed_in_device_and_each_kind_of_request_has_its_own_page(demo, auth, app):
    sign_in(auth, "bendahara")
    _seen(auth, _day())
    other = sign_in(Auth(app.test_client()), "bendahara")
    assert _statements(other, _day())[1] > 1  # the same user on another phone: not the first's page
    assert _statements(auth, _day(), **{"HX-Request": "true"})[1] > 1
    assert _statements(auth, _day())[1] == 1


def test_a_day_later_the_page_is_rendered_again(demo, auth, monkeypatch):
    """Pages say what is late or in the future from today's date."""
    sign_in(auth, "bendahara")
    _seen(auth, _day())
    monkeypatch.setattr(remembered_pages, "today", lambda _zone: date(2099, 1, 1))
    assert _statements(auth, _day())[1] > 1


def test_a_page_carrying_a_flashed_message_is_not_remembered(demo, auth):
    sign_in(auth, "bendahara")
    with auth.client.session_transaction() as session:
        session["_flashes"] = [("info", "Tersimpan.")]
    page, statements = _statements(auth, _day())
    assert "Tersimpan." in page
    again, statements = _statements(auth, _day())
    assert "Tersimpan." not in again and statements > 1


def test_a_page_that_flashes_a_message_itself_is_not_remembered(demo, auth, monkeypatch):
    sign_in(auth, "bendahara")
    auth.client.get(_day())
    loader = attendance_routes.get_ksm_day
    with monkeypatch.context() as patched:
        patched.setattr(attendance_routes, "get_ksm_day", lambda *a: flash("Baru saja.") or loader(*a))
        assert "Baru saja." in _statements(auth, _day())[0]
    page, statements = _statements(auth, _day())
    assert "Baru saja." not in page and statements > 1


def test_writes_are_counted_for_the_writers_kotas_and_with_the_data(demo, auth):
    def counters():
        return dict(db.session.execute(db.select(PageVersion.kota_id, PageVersion.n)).all())

    before = counters()
    sign_in(auth, "faskel")
    send_one(auth, worker_record(ksm().id))
    mataram = ksm().kelurahan.kecamatan.kota_id
    assert counters() == {**before, mataram: before.get(mataram, 0) + 1}
    # Reading writes nothing and counts nothing.
    auth.client.get(_day())
    auth.client.get("/workers/")
    assert counters() == {**before, mataram: before.get(mataram, 0) + 1}


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ('SELECT "user".id FROM "user"', False),
        ("  select 1", False),
        ("INSERT INTO worker (name) VALUES (?)", True),
        ('UPDATE "user" SET last_sync_at=?', True),
        ("DELETE FROM attendance WHERE id = ?", True),
        ("INSERT OR IGNORE INTO hok_daily VALUES (1)", True),
        ("UPDATE user_session SET last_seen_at=?", False),  # the sign-in's bookkeeping
        ("INSERT INTO login_attempt (username) VALUES (?)", False),
        ("INSERT INTO page_version (kota_id, n) VALUES (0, 1)", False),
        ("WITH t AS (SELECT 1) SELECT * FROM t", False),
        ("WITH t AS (SELECT 1) INSERT INTO worker SELECT * FROM t", True),
        ("CREATE TABLE x (id INTEGER)", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ('TRUNCATE "worker"', True),
    ],
)
def test_which_statements_count_as_writes(statement, changes):
    assert remembered_pages._changes_pages(statement) is changes
