"""Sign-in, sign-out, password change and the session rules of docs/budgets.md ("Sessions", "Login")."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from kotaku_pwa import db
from kotaku_pwa.models import LoginAttempt, User, UserSession, utcnow
from tests.factories import PASSWORD, make_user

WRONG = "Nama pengguna atau kata sandi salah."
DEMO_PASSWORD = "kotaku-demo"


@pytest.fixture
def new_client(app):
    return app.test_client


@pytest.fixture
def client(new_client):
    return new_client()


def _sessions(username=None):
    query = db.select(db.func.count()).select_from(UserSession)
    if username:
        query = query.join(User).where(User.username == username)
    return db.session.scalar(query)


def _failures(username):
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == username, LoginAttempt.ok.is_(False))
    )


def _text(response):
    return response.get_data(as_text=True)


def _location_path(response):
    return urlsplit(response.headers["Location"]).path


# --- signing in -------------------------------------------------------------------------------------


def test_login_page_renders(demo, client):
    response = client.get("/login")
    assert response.status_code == 200
    page = _text(response)
    assert 'name="csrf_token"' in page
    assert 'name="username"' in page and 'name="password"' in page
    assert "Masuk" in page


def test_login_success_redirects_home_and_starts_a_session(demo, client, auth):
    response = auth.login("faskel")
    assert response.status_code == 302
    assert _location_path(response) == "/"
    assert _sessions("faskel") == 1
    attempt = db.session.scalars(db.select(LoginAttempt).where(LoginAttempt.username == "faskel")).one()
    assert attempt.ok is True
    page = client.get("/")
    assert page.status_code == 200
    assert "Halo" in _text(page)


def test_login_username_is_case_and_space_insensitive(demo, auth):
    response = auth.login("  FasKel ")
    assert response.status_code == 302
    assert _sessions("faskel") == 1


def test_login_page_redirects_when_already_signed_in(demo, client, auth):
    auth.login("askot")
    response = client.get("/login")
    assert response.status_code == 302
    assert _location_path(response) == "/"


@pytest.mark.parametrize(
    ("username", "password"),
    [("faskel", "salah-sandi"), ("tidak-ada", DEMO_PASSWORD), ("tidak-ada", "salah-sandi"), ("faskel", "")],
    ids=["wrong-password", "unknown-user", "unknown-user-wrong-password", "empty-password"],
)
def test_refused_login_changes_nothing(demo, client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 400
    if password:
        # Wrong password and unknown user read exactly the same (no user enumeration).
        assert WRONG in _text(response)
    else:
        assert "Isi kata sandi." in _text(response)
    assert _sessions() == 0
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_get_identical_pages(demo, client, auth):
    wrong = _text(auth.login("faskel", "salah-sandi"))
    unknown = _text(auth.login("tidak-ada", "salah-sandi"))
    strip = lambda page: page.split('name="csrf_token"')[0] + page.split("</form>")[-1]  # noqa: E731
    assert WRONG in wrong and WRONG in unknown
    # Same message, same markup, apart from the echoed username and the fresh CSRF token.
    assert strip(wrong).replace("faskel", "X") == strip(unknown).replace("tidak-ada", "X")


def test_disabled_user_cannot_sign_in(app, client, auth):
    make_user("fasilitator", username="nonaktif", active=False)
    response = auth.login("nonaktif", PASSWORD)
    assert response.status_code == 400
    assert "Akun ini dinonaktifkan" in _text(response)
    assert _sessions() == 0


def test_disabled_user_with_wrong_password_gets_the_generic_message(app, auth):
    make_user("fasilitator", username="nonaktif", active=False)
    response = auth.login("nonaktif", "salah-sandi")
    assert WRONG in _text(response)
    assert "dinonaktifkan" not in _text(response)


def test_login_without_csrf_token_is_refused(demo, client):
    response = client.post("/login", data={"username": "faskel", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "Sesi formulir sudah tidak berlaku" in _text(response)
    assert _sessions() == 0
    assert client.get("/").status_code == 302


def test_login_with_a_forged_csrf_token_is_refused(demo, client):
    client.get("/api/csrf")
    response = client.post(
        "/login", data={"username": "faskel", "password": DEMO_PASSWORD, "csrf_token": "bukan-token"}
    )
    assert response.status_code == 400
    assert "Sesi formulir sudah tidak berlaku" in _text(response)
    assert _sessions() == 0


# --- rate limiting ----------------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_with_the_right_password(demo, client, auth):
    for _ in range(5):
        assert WRONG in _text(auth.login("faskel", "salah-sandi"))
    response = auth.login("faskel", DEMO_PASSWORD)
    assert response.status_code == 400
    assert "Terlalu banyak percobaan" in _text(response)
    assert _sessions() == 0
    assert client.get("/").status_code == 302


def test_four_failures_do_not_lock(demo, auth):
    for _ in range(4):
        auth.login("faskel", "salah-sandi")
    assert auth.login("faskel", DEMO_PASSWORD).status_code == 302
    assert _sessions("faskel") == 1


def test_lock_is_per_account(demo, auth):
    for _ in range(5):
        auth.login("faskel", "salah-sandi")
    assert "Terlalu banyak percobaan" in _text(auth.login("faskel", DEMO_PASSWORD))
    # Another account from the same address still signs in.
    assert auth.login("askot", DEMO_PASSWORD).status_code == 302
    assert _sessions("askot") == 1


def test_lock_counts_usernames_case_insensitively(demo, auth):
    for name in ("FASKEL", "Faskel", " faskel", "faskel ", "fAsKeL"):
        auth.login(name, "salah-sandi")
    assert _failures("faskel") == 5
    assert "Terlalu banyak percobaan" in _text(auth.login("faskel", DEMO_PASSWORD))


def test_old_failures_expire(demo, app, auth):
    for _ in range(5):
        auth.login("faskel", "salah-sandi")
    long_ago = utcnow() - timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"] + 1)
    db.session.execute(db.update(LoginAttempt).values(at=long_ago))
    db.session.commit()
    assert auth.login("faskel", DEMO_PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_that_address(demo, app, new_client):
    attacker = new_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    token = attacker.get("/api/csrf").get_json()["csrf_token"]
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_IP"]):
        attacker.post("/login", data={"username": f"tebak{i}", "password": "x", "csrf_token": token})
    response = attacker.post(
        "/login", data={"username": "askot", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert "Terlalu banyak percobaan" in _text(response)
    assert _sessions() == 0
    # The same account from another address is not locked.
    other = new_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    token = other.get("/api/csrf").get_json()["csrf_token"]
    response = other.post(
        "/login", data={"username": "askot", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


# --- signing out ------------------------------------------------------------------------------------


def test_logout_is_post_only(demo, client, auth):
    auth.login("faskel")
    assert client.get("/logout").status_code == 405
    # A GET did not sign anyone out.
    assert client.get("/").status_code == 200
    assert _sessions("faskel") == 1


def test_logout_without_csrf_token_is_refused(demo, client, auth):
    auth.login("faskel")
    response = client.post("/logout")
    assert response.status_code == 400
    assert _sessions("faskel") == 1
    assert client.get("/").status_code == 200


def test_logout_ends_the_session_server_side(demo, client, auth):
    auth.login("faskel")
    old_cookie = client.get_cookie("session").value
    assert client.get("/").status_code == 200

    response = auth.logout()
    assert response.status_code == 302
    assert _location_path(response) == "/login"
    assert _sessions("faskel") == 0

    # Replaying the cookie of the ended session does not get back in.
    client.set_cookie("session", old_cookie)
    response = client.get("/")
    assert response.status_code == 302
    assert _location_path(response) == "/login"
    assert client.get("/api/reference").status_code == 401


def test_logout_keeps_other_devices_signed_in(demo, new_client):
    phone, laptop = new_client(), new_client()
    for device in (phone, laptop):
        token = device.get("/api/csrf").get_json()["csrf_token"]
        device.post("/login", data={"username": "faskel", "password": DEMO_PASSWORD, "csrf_token": token})
    assert _sessions("faskel") == 2
    token = phone.get("/api/csrf").get_json()["csrf_token"]
    phone.post("/logout", data={"csrf_token": token})
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert _sessions("faskel") == 1


def test_deactivation_ends_sessions(demo, client, auth):
    auth.login("faskel")
    assert client.get("/").status_code == 200
    user = db.session.scalars(db.select(User).filter_by(username="faskel")).one()
    user.active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert _location_path(response) == "/login"


def test_expired_session_is_refused(demo, app, client, auth):
    auth.login("faskel")
    lifetime = timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    db.session.execute(db.update(UserSession).values(created_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/").status_code == 302


# --- password change --------------------------------------------------------------------------------


def _login(client, username, password=DEMO_PASSWORD):
    token = client.get("/api/csrf").get_json()["csrf_token"]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _change_password(client, current, new, repeat=None):
    token = client.get("/api/csrf").get_json()["csrf_token"]
    return client.post(
        "/account/password",
        data={"current": current, "new": new, "repeat": repeat or new, "csrf_token": token},
    )


def test_password_change_ends_other_sessions_and_keeps_this_one(demo, new_client):
    this, other = new_client(), new_client()
    assert _login(this, "bendahara").status_code == 302
    assert _login(other, "bendahara").status_code == 302
    assert _sessions("bendahara") == 2

    response = _change_password(this, DEMO_PASSWORD, "sandi-baru-yang-panjang")
    assert response.status_code == 302
    assert _location_path(response) == "/"

    assert this.get("/").status_code == 200
    response = other.get("/")
    assert response.status_code == 302
    assert _location_path(response) == "/login"
    assert _sessions("bendahara") == 1

    # The new password works, the old one no longer does.
    assert _login(new_client(), "bendahara", "sandi-baru-yang-panjang").status_code == 302
    assert WRONG in _text(_login(new_client(), "bendahara", DEMO_PASSWORD))


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("salah-sandi", "sandi-baru-yang-panjang", None, "Kata sandi sekarang salah."),
        (DEMO_PASSWORD, "pendek", None, "minimal 10 karakter"),
        (DEMO_PASSWORD, "sandi-baru-yang-panjang", "sandi-lain-yang-panjang", "tidak sama"),
    ],
    ids=["wrong-current", "too-short", "mismatch"],
)
def test_refused_password_change_changes_nothing(demo, new_client, current, new, repeat, message):
    this, other = new_client(), new_client()
    _login(this, "bendahara")
    _login(other, "bendahara")
    before = db.session.scalars(db.select(User.password_hash).filter_by(username="bendahara")).one()

    response = _change_password(this, current, new, repeat)
    assert response.status_code == 200
    assert message in _text(response)

    db.session.expire_all()
    assert db.session.scalars(db.select(User.password_hash).filter_by(username="bendahara")).one() == before
    assert _sessions("bendahara") == 2
    assert other.get("/").status_code == 200


def test_password_page_needs_sign_in(demo, client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert _location_path(response) == "/login"


# --- where a sign-in leads --------------------------------------------------------------------------


def _login_with_next(client, next_url):
    token = client.get("/api/csrf").get_json()["csrf_token"]
    return client.post(
        "/login",
        query_string={"next": next_url},
        data={"username": "faskel", "password": DEMO_PASSWORD, "csrf_token": token},
    )


def test_login_follows_a_local_next(demo, client):
    response = _login_with_next(client, "/workers/?ksm_id=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workers/?ksm_id=1"


def _leaves_the_site(location):
    """Would a browser following this Location leave the app? (WHATWG URL parsing: tabs and
    newlines are dropped, a backslash counts as a slash in http(s) URLs.)"""
    cleaned = "".join(c for c in location if c not in "\t\n\r").replace("\\", "/").strip()
    parts = urlsplit(cleaned)
    return bool(parts.scheme or parts.netloc or cleaned.startswith("//"))


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "http://evil.example",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_never_redirects_off_site(demo, client, next_url):
    response = _login_with_next(client, next_url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert not _leaves_the_site(location), location
    assert _sessions("faskel") == 1


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_login_with_an_external_next_goes_home(demo, client, next_url):
    response = _login_with_next(client, next_url)
    assert response.headers["Location"] == "/"


def test_leaves_the_site_helper():
    assert _leaves_the_site("//evil.example")
    assert _leaves_the_site("/\\evil.example")
    assert _leaves_the_site("https://evil.example")
    assert not _leaves_the_site("/workers/?ksm_id=1")
    assert not _leaves_the_site("/%5Cevil.example")


def test_unauthenticated_page_redirects_to_login_with_next(demo, client):
    response = client.get("/workers/")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/workers/"]


# --- cookies and stored passwords -------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax(demo, client, auth):
    response = auth.login("faskel")
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, response.headers
    flags = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    # A field rotation: the session survives closing the browser (a permanent cookie).
    assert any(part.startswith("expires=") for part in flags)


def test_session_cookie_is_secure_in_production(monkeypatch, tmp_path):
    from kotaku_pwa import _default_config

    monkeypatch.setenv("KOTAKU_HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x")
    config = _default_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PASSWORD_METHOD"] == "scrypt"


def test_passwords_are_stored_hashed(demo):
    hashes = db.session.scalars(db.select(User.password_hash)).all()
    assert len(hashes) == 4
    assert len(set(hashes)) == 4  # salted: the same password hashes differently per account
    for value in hashes:
        assert DEMO_PASSWORD not in value
        method = value.split("$", 1)[0]
        assert method.startswith(("pbkdf2:", "scrypt:")), method


def test_set_password_uses_the_configured_method(app):
    user = make_user("admin", username="penguji")
    assert user.password_hash.startswith(app.config["PASSWORD_METHOD"] + "$")
    assert PASSWORD not in user.password_hash
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "x")


def test_session_cookie_does_not_carry_the_password_or_user_id(demo, client, auth):
    auth.login("faskel")
    from flask.sessions import SecureCookieSessionInterface

    app = client.application
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session").value)
    user = db.session.scalars(db.select(User).filter_by(username="faskel")).one()
    # Flask-Login's id is the server-side session token, not the user's id.
    assert data["_user_id"] != str(user.id)
    assert db.session.scalar(db.select(UserSession.user_id).filter_by(token=data["_user_id"])) == user.id
    assert DEMO_PASSWORD not in str(data)


def test_api_answers_401_json_when_signed_out(demo, client):
    response = client.get("/api/reference")
    assert response.status_code == 401
    assert response.is_json
    assert "Location" not in response.headers
    assert response.get_json()["error"] == "Silakan masuk terlebih dahulu."


def test_form_token_changes_at_sign_in_and_sign_out(demo, client):
    before = client.get("/api/csrf").get_json()["csrf_token"]
    assert _login(client, "faskel", DEMO_PASSWORD).status_code == 302
    during = client.get("/api/csrf").get_json()["csrf_token"]
    assert during != before
    # A token from before sign-in no longer passes; the fresh one does.
    stale = client.post("/api/sync", json={"records": []}, headers={"X-CSRFToken": before})
    assert stale.status_code == 400
    fresh = client.post("/api/sync", json={"records": []}, headers={"X-CSRFToken": during})
    assert fresh.status_code == 200
    assert client.post("/logout", data={"csrf_token": during}).status_code == 302
    assert client.get("/api/csrf").get_json()["csrf_token"] != during
