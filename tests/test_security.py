"""Issue 11 over HTTP: sign-in throttling behind a proxy (several client addresses), password rules on
the form, headers, the security log, the inactivity timeout and the Akun page with its sessions."""

import logging
from datetime import timedelta

import pytest

from kotaku_pwa import create_app, db
from kotaku_pwa.models import LoginAttempt, User, UserSession, utcnow
from tests.conftest import TEST_CONFIG, IsolatedClient

DEMO = "kotaku-demo"
LOCKED = "Terlalu banyak percobaan"


@pytest.fixture
def proxied(app, database_url, monkeypatch):
    """The app as deployed behind a reverse proxy (KOTAKU_PROXY=1): the client address is X-Forwarded-For."""
    monkeypatch.setenv("KOTAKU_PROXY", "1")
    behind = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    behind.test_client_class = IsolatedClient
    yield behind
    with behind.app_context():
        db.engine.dispose()


class Phone:
    """A browser at one client address, behind the proxy."""

    def __init__(self, app, address):
        self.client = app.test_client()
        self.headers = {"X-Forwarded-For": address}

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, **data):
        token = self.get("/api/csrf").get_json()["csrf_token"]
        return self.client.post(url, data={**data, "csrf_token": token}, headers=self.headers)

    def login(self, username, password=DEMO):
        return self.post("/login", username=username, password=password)


def _text(response):
    return response.get_data(as_text=True)


def _failures(username):
    query = db.select(db.func.count()).select_from(LoginAttempt)
    return db.session.scalar(query.where(LoginAttempt.username == username, LoginAttempt.ok.is_(False)))


def _age_attempts(seconds):
    db.session.execute(db.update(LoginAttempt).values(at=LoginAttempt.at - timedelta(seconds=seconds)))
    db.session.commit()


# --- throttling: an attacker cannot lock the real user out ------------------------------------------


def test_the_owner_at_another_address_signs_in_while_the_attackers_address_is_locked(demo, proxied):
    attacker, owner = Phone(proxied, "203.0.113.9"), Phone(proxied, "198.51.100.7")
    for _ in range(5):
        attacker.login("faskel", "tebakan-salah")
    refused = attacker.login("faskel", DEMO)
    assert refused.status_code == 400
    assert LOCKED in _text(refused)
    assert owner.login("faskel").status_code == 302


def test_the_lock_message_says_when_to_try_again(demo, proxied):
    attacker = Phone(proxied, "203.0.113.9")
    for _ in range(5):
        attacker.login("faskel", "tebakan-salah")
    page = _text(attacker.login("faskel", DEMO))
    assert "Coba lagi setelah pukul" in page
    assert "WITA" in page
    assert "dalam 15 menit" in page


def test_tries_during_a_lock_do_not_extend_it(demo, app, proxied):
    attacker = Phone(proxied, "203.0.113.9")
    for _ in range(5):
        attacker.login("faskel", "tebakan-salah")
    for _ in range(10):  # an attacker knocking during the lock
        assert LOCKED in _text(attacker.login("faskel", "tebakan-salah"))
    assert _failures("faskel") == 5
    _age_attempts(app.config["LOGIN_LOCK_MINUTES"] * 60 + 1)
    assert attacker.login("faskel").status_code == 302


def test_failures_from_many_addresses_slow_the_account_then_let_it_go(demo, proxied):
    for i in range(10):  # a botnet: two tries from each of five addresses, no pair lock
        Phone(proxied, f"203.0.113.{i // 2 + 1}").login("faskel", "tebakan-salah")
    newcomer = Phone(proxied, "198.51.100.7")
    assert LOCKED in _text(newcomer.login("faskel", DEMO))
    assert _failures("faskel") == 10  # the refused try did not count
    _age_attempts(31)  # the first delay is 30 s
    assert newcomer.login("faskel").status_code == 302


def test_the_owners_own_phone_skips_the_account_delay(demo, proxied):
    owner = Phone(proxied, "198.51.100.7")
    assert owner.login("faskel").status_code == 302
    owner.post("/logout")
    for i in range(30):
        Phone(proxied, f"203.0.113.{i // 3 + 1}").login("faskel", "tebakan-salah")
    # From a new network address, on the phone where faskel signed in before.
    owner.headers = {"X-Forwarded-For": "192.0.2.44"}
    assert owner.login("faskel").status_code == 302
    # A browser that never signed in as faskel waits.
    assert LOCKED in _text(Phone(proxied, "192.0.2.45").login("faskel", DEMO))


def test_a_shared_address_locks_only_at_the_high_limit(demo, app, proxied):
    nat = "100.64.0.1"  # carrier-grade NAT: many phones, one address
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_IP"] - 1):
        Phone(proxied, nat).login(f"salah{i % 50}", "tebakan-salah")
    assert Phone(proxied, nat).login("bendahara").status_code == 302


def test_the_password_form_is_throttled_like_sign_in(demo, proxied):
    thief = Phone(proxied, "203.0.113.9")
    thief.login("bendahara")
    before = db.session.scalar(db.select(User.password_hash).filter_by(username="bendahara"))
    for _ in range(5):
        response = thief.post(
            "/account/password",
            current="tebakan-salah",
            new="gunung-rinjani-pagi",
            repeat="gunung-rinjani-pagi",
        )
        assert "Kata sandi sekarang salah." in _text(response)
    response = thief.post(
        "/account/password", current=DEMO, new="gunung-rinjani-pagi", repeat="gunung-rinjani-pagi"
    )
    assert LOCKED in _text(response)
    db.session.expire_all()
    assert db.session.scalar(db.select(User.password_hash).filter_by(username="bendahara")) == before


# --- password rules on the form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (DEMO, "harus berbeda"),
        ("kotaku-2024!!", "tidak boleh memuat kata"),
        ("password12", "paling sering dipakai"),
        ("aaaaaaaaaa", "terlalu mudah ditebak"),
        ("1234567890", "paling sering dipakai"),
        ("bendahara-saya-1", "nama pengguna"),
    ],
)
def test_weak_new_passwords_are_refused(demo, client, auth, new, message):
    auth.login("bendahara")
    response = auth.post("/account/password", current=DEMO, new=new, repeat=new)
    assert response.status_code == 200
    assert message in _text(response)
    assert db.session.scalar(db.select(User).filter_by(username="bendahara")).check_password(DEMO)


def test_the_unchanged_password_is_refused(demo, auth):
    auth.login("bendahara")
    auth.post("/account/password", current=DEMO, new="gunung-rinjani-pagi", repeat="gunung-rinjani-pagi")
    response = auth.post(
        "/account/password",
        current="gunung-rinjani-pagi",
        new="gunung-rinjani-pagi",
        repeat="gunung-rinjani-pagi",
    )
    assert "harus berbeda" in _text(response)


# --- headers ----------------------------------------------------------------------------------------


def test_https_sends_hsts_and_a_host_prefixed_cookie(demo, database_url, monkeypatch):
    monkeypatch.setenv("KOTAKU_HTTPS", "1")
    secure = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    secure.test_client_class = IsolatedClient
    try:
        client = secure.test_client()
        token = client.get("/api/csrf", base_url="https://localhost").get_json()["csrf_token"]
        response = client.post(
            "/login",
            data={"username": "faskel", "password": DEMO, "csrf_token": token},
            base_url="https://localhost",
            headers={"Referer": "https://localhost/login"},  # Flask-WTF's strict check over HTTPS
        )
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
        assert cookies
        flags = [p.strip().lower() for p in cookies[-1].split(";")]
        assert "secure" in flags and "path=/" in flags
        assert not any(p.startswith("domain=") for p in flags)
        assert client.get("/", base_url="https://localhost").status_code == 200
    finally:
        with secure.app_context():
            db.engine.dispose()


def test_plain_http_sends_no_hsts(demo, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_permissions_policy_allows_camera_and_location_for_this_origin_only(demo, client):
    policy = client.get("/login").headers["Permissions-Policy"]
    rules = dict(part.strip().split("=", 1) for part in policy.split(","))
    assert rules["camera"] == "(self)"
    assert rules["geolocation"] == "(self)"
    assert rules["microphone"] == "()"
    assert all(value == "()" for name, value in rules.items() if name not in ("camera", "geolocation"))


def test_pages_of_a_signed_in_user_are_private(demo, client, auth):
    auth.login("faskel")
    for url in ("/", "/workers/", "/attendance/"):
        response = client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "private" in cache and "no-cache" in cache, url
    # Static files keep their caching (they hold no personal data).
    static = client.get("/static/css/app.css")
    static.close()
    assert static.status_code == 200
    assert "private" not in static.headers.get("Cache-Control", "")


def test_the_account_page_is_never_stored(demo, client, auth):
    auth.login("faskel")
    assert client.get("/account").headers["Cache-Control"] == "no-store"


# --- security log -----------------------------------------------------------------------------------


def test_security_events_are_logged_without_passwords(demo, client, auth, caplog):
    caplog.set_level(logging.INFO, logger="kotaku.security")
    auth.login("faskel", "rahasia-sekali-99")
    client.post("/login", data={"username": "faskel", "password": "rahasia-sekali-98"})  # no CSRF token
    auth.login("faskel")
    client.get("/workers/999999")
    lines = [r.getMessage() for r in caplog.records if r.name == "kotaku.security"]
    text = "\n".join(lines)
    assert "login_failed user=faskel ip=127.0.0.1" in text
    assert "csrf_failed" in text
    assert "http_404 user=faskel" in text
    assert "rahasia-sekali" not in text and DEMO not in text


def test_forbidden_sync_records_are_logged(demo, auth, caplog):
    caplog.set_level(logging.INFO, logger="kotaku.security")
    auth.login("bendahara")
    record = {
        "uuid": "3f1c1a52-64c0-4a8e-9f5d-2f9a4c9b1e01",
        "kind": "worker",
        "recorded_at": utcnow().isoformat() + "Z",
        "data": {"ksm_id": 1, "nik": "5271010101800001", "name": "Coba"},
    }
    results = auth.sync([record]).get_json()["results"]
    assert results[0]["status"] == "forbidden"
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "kotaku.security")
    assert "sync_forbidden user=bendahara" in text
    assert record["uuid"] in text
    assert "5271010101800001" not in text


# --- inactivity and the Akun page -------------------------------------------------------------------


def test_an_idle_session_ends(demo, app, client, auth):
    auth.login("faskel")
    assert client.get("/").status_code == 200
    idle = timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"]) + timedelta(minutes=1)
    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - idle))
    db.session.commit()
    assert client.get("/").status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 0


def test_use_keeps_a_session_alive(demo, app, client, auth):
    auth.login("faskel")
    almost = timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"]) - timedelta(minutes=10)
    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - almost))
    db.session.commit()
    assert client.get("/").status_code == 200
    seen = db.session.scalar(db.select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_a_new_network_keeps_the_session_but_marks_it_not_fresh(demo, client, auth):
    """Session protection "basic" (QUALITY.md): a phone that changes network stays signed in."""
    auth.login("faskel")
    with client.session_transaction() as session:
        assert session["_fresh"] is True
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] is False


def test_the_idle_timeout_is_configurable(monkeypatch, tmp_path):
    from kotaku_pwa import _default_config

    monkeypatch.setenv("KOTAKU_IDLE_HOURS", "12")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert _default_config(str(tmp_path))["SESSION_IDLE_TIMEOUT"] == 12 * 3600


def _phone(app, agent):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    token = client.get("/api/csrf").get_json()["csrf_token"]
    client.post("/login", data={"username": "faskel", "password": DEMO, "csrf_token": token})
    return client


ANDROID = "Mozilla/5.0 (Linux; Android 12; SM-A125F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/121.0"


def test_the_account_page_lists_ones_sessions_and_links_the_password_page(demo, app):
    phone, laptop = _phone(app, ANDROID), _phone(app, WINDOWS)
    page = _text(phone.get("/account"))
    assert "Android · Chrome" in page and "Windows · Firefox" in page
    assert "perangkat ini" in page
    # The other device has its button; this one signs out with Keluar (which also clears the phone).
    assert page.count("akhiri sesi ini") == 1
    assert "tekan <strong>Keluar</strong>" in page
    assert 'href="/account/password"' in page
    assert "terakhir aktif" in page
    # Every page links to the Akun page.
    assert 'href="/account"' in _text(laptop.get("/"))


def test_ending_another_session_signs_that_device_out(demo, app):
    phone, laptop = _phone(app, ANDROID), _phone(app, WINDOWS)
    other = db.session.scalar(db.select(UserSession.id).where(UserSession.user_agent == WINDOWS))
    token = phone.get("/api/csrf").get_json()["csrf_token"]
    response = phone.post(f"/account/sessions/{other}/end", data={"csrf_token": token})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200


def test_ending_this_session_signs_out_here(demo, app):
    phone = _phone(app, ANDROID)
    own = db.session.scalar(db.select(UserSession.id))
    token = phone.get("/api/csrf").get_json()["csrf_token"]
    response = phone.post(f"/account/sessions/{own}/end", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/login")
    assert phone.get("/").status_code == 302


def test_nobody_ends_another_users_session(demo, app, auth):
    victim = _phone(app, ANDROID)
    theirs = db.session.scalar(db.select(UserSession.id))
    auth.login("askot")
    assert auth.post(f"/account/sessions/{theirs}/end").status_code == 404
    assert victim.get("/").status_code == 200


# --- the production path ----------------------------------------------------------------------------


def test_create_user_refuses_a_weak_password(app):
    runner = app.test_cli_runner()
    args = ["create-user", "kepala", "--role", "admin", "--name", "Kepala Program"]
    weak = runner.invoke(args=[*args, "--password", "password12"])
    assert weak.exit_code != 0
    assert "paling sering dipakai" in weak.output
    assert db.session.scalar(db.select(User).filter_by(username="kepala")) is None
    good = runner.invoke(args=[*args, "--password", "gunung-rinjani-pagi"])
    assert good.exit_code == 0, good.output
    assert db.session.scalar(db.select(User).filter_by(username="kepala")).check_password(
        "gunung-rinjani-pagi"
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_last_seen_is_written_on_reads_and_writes_alike(demo, client, auth, method):
    """On SQLite a POST holds the write lock from its first query: the last-seen write must not wait
    for it (it would wait out busy_timeout and answer 500)."""
    auth.login("faskel")
    token = auth.token()
    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    if method == "GET":
        response = client.get("/")
    else:
        response = client.post("/api/sync", json={"records": []}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    db.session.expire_all()
    assert utcnow() - db.session.scalar(db.select(UserSession.last_seen_at)) < timedelta(minutes=1)
