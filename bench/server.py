"""A demo app and a bare Flask app served by gunicorn with `make run`'s settings, in their own processes.

Used by `python -m bench pages` and `python -m bench paint`: load comes from another process (wrk,
Chromium), never from the server's own.
"""

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key"
GROUPS = {}  # base URL -> process group of its gunicorn (master and workers), for server_cpu
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The browser the benches' sessions are signed in with, and that wrk then sends: another one would
# mark the session not fresh (Flask-Login's "basic" protection), which re-signs the cookie of every
# request wrk repeats with the old one.
AGENT = "kotaku-bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_database(path):
    """A SQLite file with the demo data (the tables straight from the models: no migrations to wait for)."""
    from kotaku_pwa import create_app, db
    from kotaku_pwa.demo import load_demo
    from kotaku_pwa.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": SECRET})
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
        ksm_id = db.session.scalar(db.select(User.ksm_id).where(User.username == "bendahara"))
        db.engine.dispose()
    return ksm_id


@contextmanager
def gunicorn(target, env=None, root=ROOT):
    """Serve `target` ("app:app") with gunicorn.conf.py of `root` (a checkout); yield its base URL."""
    port = free_port()
    environ = {**os.environ, "KOTAKU_BIND": f"127.0.0.1:{port}", "SECRET_KEY": SECRET, **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null", target],
        cwd=root,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    GROUPS[base] = process.pid  # start_new_session: its own process group
    try:
        _wait_for(base, process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def server_cpu(base):
    """CPU seconds used so far by the gunicorn serving `base` (master and workers, from /proc)."""
    group, total = GROUPS[base], 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[2]) == group:  # pgrp, utime, stime: fields 5, 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def _wait_for(base, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (a 302 to the login page is an answer)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def signed_in_client(app, username, password="kotaku-demo", headers=None):
    """A Flask test client of `app` signed in as `username`: the benches that run the app in-process."""
    client = app.test_client()
    token = client.get("/api/csrf", headers=headers).get_json()["csrf_token"]
    form = {"username": username, "password": password, "csrf_token": token}
    response = client.post("/login", data=form, headers=headers)
    if response.status_code != 302:  # the login page again: the measures would be of it
        raise RuntimeError(f"sign-in of {username} failed ({response.status_code})")
    return client


def sign_in(base, username, password="kotaku-demo"):
    """The cookies of a signed-in session, as one Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", AGENT)]
    token = json.load(opener.open(base + "/api/csrf"))["csrf_token"]
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token}).encode()
    opener.open(base + "/login", data=form)
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookies:
        raise RuntimeError(f"sign-in of {username} failed")
    return cookies


@contextmanager
def demo_server(root=ROOT):
    """The demo app (of checkout `root`) under gunicorn on a fresh SQLite file; yields its base URL and the
    treasurer's KSM id."""
    with demo_file() as (path, ksm_id), serve_demo(path, root) as base:
        yield base, ksm_id


@contextmanager
def demo_file():
    """A fresh SQLite file with the demo data, removed afterwards; yields its path and the treasurer's KSM."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        yield path, demo_database(path)


def serve_demo(path, root=ROOT, target="app:app", env=None):
    """`target` (the app of checkout `root`, or a bench variant of it) under gunicorn on the SQLite file,
    with `env` added to its environment."""
    return gunicorn(target, {"DATABASE_URL": f"sqlite:///{path}", **(env or {})}, root)
