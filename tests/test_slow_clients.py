"""Slow clients cannot starve the server (issue 11, item 3), and the production set-up (issue 11, item 9).

gunicorn runs with gunicorn.conf.py, the same set-up as `make run` and `make serve`; connections that
send their request one byte a second must not keep /healthz from answering at once.
"""

import http.client
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 4  # twice the default worker count: with sync workers two were enough to stall the site


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    with _served(tmp_path_factory.mktemp("gunicorn")) as served:
        yield served


@contextmanager
def _served(tmp_path, *options):
    """gunicorn with gunicorn.conf.py (and `options`) on a free port: (port, URL, its log)."""
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path}/slow.db",
        "SECRET_KEY": "slow-clients",
    }
    env.pop("TEST_DATABASE_URL", None)
    env.pop("KOTAKU_BIND", None)
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *options, "app:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
        yield port, url, tmp_path / "gunicorn.log"
    finally:
        process.send_signal(signal.SIGINT)  # quick shutdown: the slow connections need no goodbye
        process.wait(10)
        log.close()


def _trickle(port, stop):
    """A client that sends a request one byte a second (slowloris)."""
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"x" * 100 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for byte in request:
            if stop.wait(1):
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return


def test_slow_clients_do_not_hold_up_healthz(gunicorn):
    port, url, _ = gunicorn
    stop = threading.Event()
    slow = [threading.Thread(target=_trickle, args=(port, stop), daemon=True) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(2.5)  # every slow client has sent a few bytes and holds its connection
        for _ in range(5):
            started = time.monotonic()
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                assert response.status == 200
            assert time.monotonic() - started < 1.0
        assert all(thread.is_alive() for thread in slow)  # the slow clients were still sending
    finally:
        stop.set()
        for thread in slow:
            thread.join(5)


def test_security_events_reach_the_gunicorn_error_log(gunicorn):
    _, url, log = gunicorn
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/workers/tebak/99?nik=5271010101800001", timeout=10)
    refused.value.close()
    assert refused.value.code == 404
    for _ in range(50):  # the worker writes the line a moment after it answers
        text = log.read_text()
        if "http_404" in text:
            break
        time.sleep(0.1)
    assert "http_404 user=- ip=127.0.0.1 GET /workers/tebak/99" in text
    assert "5271010101800001" not in text.split("http_404", 1)[1].splitlines()[0]


def test_make_run_and_make_serve_use_the_one_gunicorn_setup():
    makefile = (ROOT / "Makefile").read_text()
    targets = {}
    for block in makefile.split("\n\n"):
        for line in block.splitlines():
            if line and not line.startswith(("\t", "#", " ")) and ":" in line:
                targets[line.split(":")[0]] = block
    for target in ("run", "serve"):
        assert "gunicorn -c gunicorn.conf.py app:app" in targets[target], target
    assert "flask demo" in targets["run"]
    # Production never creates demo accounts.
    assert "demo" not in targets["serve"].split("serve:", 1)[1]


def test_the_gunicorn_setup_uses_threaded_workers():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 4
    assert config["timeout"] <= 60


def test_each_worker_has_its_own_socket_except_on_a_unix_socket(monkeypatch, tmp_path):
    """On a unix socket each worker would replace the one before's file: they share one socket."""
    monkeypatch.setenv("KOTAKU_BIND", "127.0.0.1:5000")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["reuse_port"] is True
    monkeypatch.setenv("KOTAKU_BIND", f"unix:{tmp_path}/kotaku.sock")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["reuse_port"] is False


class _Log:
    def __init__(self):
        self.warnings = []

    def warning(self, message, *args):
        self.warnings.append(message % args if args else message)


class _Server:
    def __init__(self, *addresses):
        self.cfg = type("Cfg", (), {"address": list(addresses)})()
        self.log = _Log()


@pytest.fixture
def when_ready(demo, database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "x")
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["when_ready"]


def test_demo_accounts_on_a_public_address_are_warned_about(when_ready):
    server = _Server(("0.0.0.0", 8000))
    when_ready(server)
    assert len(server.log.warnings) == 1
    warning = server.log.warnings[0]
    assert "Akun demo" in warning
    assert "admin (kata sandi demo MASIH BERLAKU)" in warning
    assert "kotaku-demo" not in warning


def test_a_loopback_server_is_not_warned_about_demo_accounts(when_ready):
    server = _Server(("127.0.0.1", 5000), ("::1", 5000), "/run/kotaku.sock")
    when_ready(server)
    assert server.log.warnings == []


def test_no_warning_once_demo_accounts_are_deactivated(when_ready):
    from kotaku_pwa import db
    from kotaku_pwa.models import User

    db.session.execute(db.update(User).values(active=False))
    db.session.commit()
    server = _Server(("0.0.0.0", 8000))
    when_ready(server)
    assert server.log.warnings == []


CONNECTIONS = 40


def test_kept_alive_connections_are_spread_over_the_workers(tmp_path):
    """Each worker listens on its own socket (reuse_port): on one shared socket the first worker awake
    took most of a client's kept-alive connections, 38 to all 50 of wrk's 50, and served them on one
    core while the other worker idled (issue 14)."""
    with _served(tmp_path, "--access-logformat", "served-by=%(p)s") as (port, _, log):
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CONNECTIONS)]
        try:
            for connection in connections:
                connection.connect()  # all open, and kept open, before any request
            for connection in connections:
                connection.request("GET", "/healthz")
                assert connection.getresponse().read()
        finally:
            for connection in connections:
                connection.close()
        time.sleep(0.5)  # the access log lines written
        workers = re.findall(r"served-by=<(\d+)>", log.read_text())
    assert len(workers) >= CONNECTIONS
    shares = sorted(Counter(workers).values())
    # Two workers (gunicorn.conf.py): each serves at least a quarter (the kernel hashes each
    # connection to a socket: a split worse than 10/30 comes about once in a thousand runs).
    assert len(shares) == 2 and shares[0] >= CONNECTIONS // 4, shares


def test_the_database_pool_holds_a_connection_per_worker_thread(tmp_path):
    """With fewer pooled connections than a worker's threads, the requests beyond the pool each opened
    a connection and closed it after (on SQLite: its PRAGMAs and a read of the schema again)."""
    from kotaku_pwa import create_app, db
    from tests.conftest import TEST_CONFIG

    threads = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"]
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/pool.db"})
    with app.app_context():
        assert db.engine.pool.size() == threads
