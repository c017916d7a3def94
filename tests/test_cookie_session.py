"""Issue 14: the session cookie is checked and decoded once per process (kotaku_pwa/cookie_session.py),
and still refused when tampered with or too old."""

from itsdangerous import URLSafeTimedSerializer

from kotaku_pwa import cookie_session
from tests.test_sync import sign_in


def _cookie(client, app):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_cookie_is_checked_once_then_remembered(demo, auth, monkeypatch):
    sign_in(auth, "faskel")
    for _ in range(2):  # the first page adds the form token to the session: a new cookie
        assert auth.client.get("/").status_code == 200
    checks = []
    loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(
        URLSafeTimedSerializer, "loads", lambda self, *a, **k: checks.append(1) or loads(self, *a, **k)
    )
    for _ in range(3):
        assert auth.client.get("/").status_code == 200  # still signed in
    assert checks == []


def test_a_tampered_cookie_is_refused(demo, auth, app):
    sign_in(auth, "faskel")
    assert auth.client.get("/").status_code == 200
    cookie = _cookie(auth.client, app)
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged = f"{payload}.{stamp}.{'A' * len(signature)}"
    auth.client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    assert auth.client.get("/").status_code == 302  # to the sign-in page


def test_a_remembered_cookie_past_the_session_lifetime_is_refused(demo, auth, app, monkeypatch):
    sign_in(auth, "faskel")
    assert auth.client.get("/").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = cookie_session.time.time()
    monkeypatch.setattr(cookie_session.time, "time", lambda: now + lifetime + 60)
    assert auth.client.get("/").status_code == 302


def test_a_session_holding_a_list_is_not_remembered(demo, auth, app):
    sign_in(auth, "faskel")
    auth.client.get("/")
    auth.client.get("/")  # the first page's cookie (with the form token), opened
    interface = app.session_interface
    assert _cookie(auth.client, app) in interface.kept  # plain values: remembered
    auth.logout()  # the sign-in page's message is a flashed list in the session
    flashed = _cookie(auth.client, app)
    assert "sudah keluar" in auth.client.get("/login").get_data(as_text=True)
    assert flashed not in interface.kept
