"""Browser tests: the real app under gunicorn, driven in Chromium by Playwright.

The server runs on its own SQLite file loaded with the demo data; tests reach the same file through
`server.app` to set up KSMs and count rows. Every page a test opens must log no console error.
"""

import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from kotaku_pwa import create_app, db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class Server:
    """gunicorn serving app:app on a free port; restart() deploys a "new version"."""

    def __init__(self, workdir):
        self.db_path = workdir / "e2e.db"
        self.log_path = workdir / "gunicorn.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "SECRET_KEY": "e2e-secret",
            "KOTAKU_BUILD_SALT": "v1",
            "KOTAKU_IMAGE_STORE": str(workdir / "images"),
        }
        self.env.pop("TEST_DATABASE_URL", None)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        subprocess.run([*flask, "demo"], cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.db_path}",
                "TESTING": True,
                "SECRET_KEY": "e2e-secret",
                "IMAGE_STORE": str(workdir / "images"),
            }
        )

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                # A browser's keep-alive connection must not hold up a restart (gunicorn.conf.py: 30 s).
                "--graceful-timeout",
                "2",
                # Kept for when a test fails: what the server answered, and what it raised.
                "--access-logfile",
                str(self.log_path),
                "--error-logfile",
                str(self.log_path),
                "app:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the test server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def restart(self, build_salt=None):
        self.stop()
        if build_salt:
            self.env["KOTAKU_BUILD_SALT"] = build_salt
        self.start()

    def count(self, model, **filters):
        with self.app.app_context():
            query = db.select(db.func.count()).select_from(model).filter_by(**filters)
            return db.session.scalar(query)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("e2e"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    with sync_playwright() as p:
        yield p


def launch_options():
    path = os.environ.get("CHROMIUM_PATH")
    options = {"args": CHROMIUM_ARGS}
    if path and path != "playwright":
        options["executable_path"] = path
    return options


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(**launch_options())
    yield browser
    browser.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions of every page it watches (docs/offline.md, behaviour 13)."""

    # Chromium logs a failed resource load as a console error; offline tests cause them on purpose.
    EXPECTED = ("net::ERR_INTERNET_DISCONNECTED", "Failed to load resource", "net::ERR_FAILED")

    def __init__(self):
        self.errors = []

    def watch(self, page):
        page.on("console", lambda m: m.type == "error" and self._add(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        return page

    def _add(self, text):
        if not any(marker in text for marker in self.EXPECTED):
            self.errors.append(text)


@pytest.fixture
def console():
    watch = ConsoleWatch()
    yield watch
    assert watch.errors == [], "console errors: " + "; ".join(watch.errors)


@pytest.fixture
def context(browser, server):
    context = browser.new_context(base_url=server.url, viewport=PHONE, service_workers="allow")
    yield context
    context.close()


@pytest.fixture
def page(context, console):
    return console.watch(context.new_page())


def until(page, script, timeout=20000):
    """Poll `script` (a JS function) until it returns something truthy.

    Playwright's wait_for_function evaluates strings, which the app's CSP (no 'unsafe-eval') forbids;
    page.evaluate does not.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} ms: {script}")
        time.sleep(0.1)


def sign_in(page, username="faskel", password="kotaku-demo"):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    # The service worker controls the page once it has activated and claimed it. A navigation that
    # Chromium could not hand to the worker in time (a machine under load) leaves its page uncontrolled,
    # which the next navigation mends, as it would on a phone.
    controlled = "() => navigator.serviceWorker.controller !== null"
    try:
        until(page, controlled, timeout=10000)
    except TimeoutError:
        page.reload()
        try:
            until(page, controlled, timeout=20000)
        except TimeoutError:
            state = page.evaluate(
                """async () => {
                    const r = await navigator.serviceWorker.getRegistration();
                    return r && {active: r.active?.state, waiting: r.waiting?.state};
                }"""
            )
            raise TimeoutError(f"no service worker controls {page.url}; registration: {state}") from None


def warm(page):
    """Wait until the pages of the user's reference data are in the service worker's cache."""
    until(
        page,
        """async () => {
            const ref = await Outbox.getMeta('reference');
            if (!ref) return false;
            const names = await caches.keys();
            const pages = names.find((n) => n.startsWith('pages-'));
            if (!pages) return false;
            const cache = await caches.open(pages);
            for (const url of ref.pages) if (!(await cache.match(url, {ignoreVary: true}))) return false;
            return true;
        }""",
        timeout=30000,
    )


def unsent(page):
    return page.evaluate("async () => (await Outbox.all()).filter((r) => Outbox.UNSENT.has(r.state)).length")


def wait_synced(page, timeout=20000, at_least=0):
    """Wait until no outbox record is pending or sending, and the outbox holds `at_least` records.

    An empty outbox counts as synced. Right after a tap on Save, give at_least= the number of records
    the outbox holds once that save is in: else this may return before the page has put the record
    in the outbox (a signature or photo still being encoded), and nothing has been sent yet.
    """
    until(
        page,
        f"""async () => {{
            const all = await Outbox.all();
            const settled = all.every((r) => !['pending', 'sending'].includes(r.state));
            return all.length >= {int(at_least)} && settled;
        }}""",
        timeout=timeout,
    )


@pytest.fixture
def fresh_ksm(server):
    """A KSM of its own in the faskel's kelurahan Tanjung Karang, with three workers (no attendance)."""
    from kotaku_pwa.models import Kelurahan, Ksm, User, Worker
    from tests.factories import nik as make_nik

    with server.app.app_context():
        kelurahan = db.session.execute(db.select(Kelurahan).filter_by(name="Tanjung Karang")).scalar_one()
        count = db.session.scalar(db.select(db.func.count(Ksm.id)))
        ksm = Ksm(
            kelurahan_id=kelurahan.id,
            name=f"KSM Uji {count + 1}",
            activity="Drainase uji",
            budget=50_000_000,
            start_date=date(2021, 4, 15),
            end_date=date(2021, 7, 15),
        )
        db.session.add(ksm)
        db.session.flush()
        faskel = db.session.execute(db.select(User).filter_by(username="faskel")).scalar_one()
        import uuid

        workers = []
        for i, (name, gender) in enumerate([("Ahmad Uji", "L"), ("Baiq Uji", "P"), ("Candra Uji", "L")]):
            worker = Worker(
                uuid=str(uuid.uuid4()),
                payload_hash="test",
                created_by_id=faskel.id,
                ksm_id=ksm.id,
                nik=make_nik(region="527105", gender=gender, serial=5000 + ksm.id * 10 + i),
                name=name,
                gender=gender,
                birth_date=date(1985, 3, 12),
                category="pekerja",
                low_income_covid=True,
                lost_income=True,
                breadwinner=True,
                season=2021,
            )
            db.session.add(worker)
            workers.append(worker)
        db.session.commit()
        return {"id": ksm.id, "workers": [w.uuid for w in workers]}


# Workers registered by the tests: each gets a NIK of its own (a repeated NIK would be a conflict).
_births = itertools.count()


def worker_nik(gender="L"):
    """A valid NIK nobody else in the session has: Mataram, an adult's birth date, serial 0001."""
    from datetime import timedelta

    from tests.factories import nik as make_nik

    return make_nik(region="527105", born=date(1990, 1, 1) + timedelta(days=next(_births)), gender=gender)


def fill_worker(page, name, nik, gender="L"):
    """Fill the worker registration form (eligible: low income and breadwinner)."""
    page.fill("#nik", nik)
    page.fill("#name", name)
    page.check(f'input[name="gender"][value="{gender}"]')
    page.check('input[name="low_income_covid"]')
    page.check('input[name="breadwinner"]')


def form_status(page, text, timeout=20000):
    """Wait until the form's status line says `text` (the save is done, on the phone at least)."""
    until(
        page,
        f"() => (document.querySelector('[data-form-status]')?.textContent || '')"
        f".includes({json.dumps(text)})",
        timeout=timeout,
    )


def records(page):
    """Every record in this browser's outbox, oldest first."""
    return page.evaluate("async () => Outbox.all()")


def badge_shows(page, text, timeout=10000):
    """Wait until the unsent badge says `text` ("" = hidden); it follows the outbox a moment later."""
    script = (
        "() => { const badge = document.querySelector('[data-outbox-badge]');"
        " return badge.hidden ? '' : badge.textContent; }"
    )
    deadline = time.monotonic() + timeout / 1000
    while (shown := page.evaluate(script)) != text:
        assert time.monotonic() < deadline, f"the badge says {shown!r}, not {text!r}"
        time.sleep(0.1)


class SyncLog:
    """Every POST /api/sync a browser context makes: which uuids it carried, and how often."""

    def __init__(self, target):
        self.batches = []
        target.on("request", self._seen)

    def _seen(self, request):
        if request.method == "POST" and request.url.endswith("/api/sync"):
            body = json.loads(request.post_data or "{}")
            self.batches.append([r["uuid"] for r in body.get("records", [])])

    def times(self, uuid):
        return sum(batch.count(uuid) for batch in self.batches)


class Profile:
    """A Chromium profile on disk: close() and open() again is a browser restart."""

    def __init__(self, playwright, server, folder, console):
        self.playwright, self.server, self.folder, self.console = playwright, server, folder, console
        self.context = None

    def open(self, offline=False):
        self.context = self.playwright.chromium.launch_persistent_context(
            str(self.folder),
            **launch_options(),
            base_url=self.server.url,
            viewport=PHONE,
            service_workers="allow",
            offline=offline,
        )
        return self.console.watch(self.context.pages[0] if self.context.pages else self.context.new_page())

    def close(self):
        if self.context:
            self.context.close()
            self.context = None


@pytest.fixture
def profile(playwright_instance, server, tmp_path, console):
    profile = Profile(playwright_instance, server, tmp_path / "profile", console)
    yield profile
    profile.close()
