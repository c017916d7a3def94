"""Fixtures: `app` (fresh data per test, SQLite or TEST_DATABASE_URL), `client`, `auth`, `demo`."""

import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from kotaku_pwa import create_app, db
from kotaku_pwa.dashboard.rollups import ROLLUP_TABLES

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    # Cheap hashing keeps the suite fast; production uses scrypt (kotaku_pwa/__init__.py).
    "PASSWORD_METHOD": "pbkdf2:sha256:1000",
    "BUILD_SALT": "test",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    images = str(tmp_path_factory.mktemp("images"))  # the image store (kotaku_pwa/storage.py)
    config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "IMAGE_STORE": images}
    if database_url.startswith("postgresql"):
        # Each test commits dozens of times; waiting for each to reach the disk is what made the
        # PostgreSQL run slow. Durability is the chaos bench's to prove (docs/budgets.md), not this.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    app = create_app(config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as under a real server.

    The `app` fixture keeps one app context pushed for the whole test (so tests can use db.session),
    and Flask would reuse it for test requests: `g` (Flask-Login's loaded user, Flask-WTF's token) and
    the database session would leak from one request, and one client, to the next. So each request
    gets a fresh app context pushed on top (the request uses it, and its session ends when it is
    popped). The test's own session is committed around each request, so the request sees the test's
    rows and the test then reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture
def app(_app):
    """The app with empty tables."""
    with _app.app_context():
        _empty_tables()
        _present.clear()
        _app.extensions["remembered_pages"].clear()  # emptied, the counters of writes start again
        yield _app
        db.session.rollback()


def _empty_tables():
    """Every table emptied, ids starting again at 1 (DELETE: a few times faster than TRUNCATE on
    tables this small)."""
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("; ".join(f'DELETE FROM "{t.name}"' for t in reversed(tables))))
        _set_sequences(tables, "1, false")
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo(app):
    """The demo data of Kota Mataram and its four accounts.

    `load_demo` runs once per session; later tests get its rows back by bulk inserts (ten times
    faster, which is what keeps the PostgreSQL run short). The rollup tables are filled by their
    triggers as the rows go in, as in real use.
    """
    from kotaku_pwa.demo import load_demo

    _snapshot("demo", load_demo)
    return app


@pytest.fixture
def demo_story(app):
    """What `flask demo` loads: the demo data and the seed's story (meetings, checks, wages,
    verifications), loaded once per session and restored like `demo`."""
    from kotaku_pwa.demo import load_demo
    from kotaku_pwa.demo_story import load_story

    _snapshot("story", lambda: (load_demo(), load_story()))
    return app


# Counted by the database as the rows go in (the writes that pages remembered, remembered_pages.py).
COUNTERS = {"page_version"}
_snapshots = {}  # name → {table: rows}, as the session's first load of it left them
_present = set()  # the snapshots in the tables of the test under way
HOLDS = {"demo": {"demo"}, "story": {"story", "demo"}}  # the story is loaded on top of the demo


def _snapshot(name, load):
    """Load the data the first time (then keep its rows), restore the kept rows after that. The story
    holds the demo: asked for after it, it replaces the tables' rows (so a test asks for the story
    before the fixtures that add rows of their own)."""
    if any(name in HOLDS[held] for held in _present):
        return
    if _present:
        _empty_tables()
        _present.clear()
    _present.add(name)
    if name not in _snapshots:
        load()
        db.session.commit()
        tables = db.metadata.sorted_tables
        _snapshots[name] = {t: db.session.execute(t.select()).mappings().all() for t in tables}
        db.session.commit()  # the reads end: a test's other connections find the database free (SQLite)
    else:
        _restore(_snapshots[name])


def _restore(rows):
    for table in db.metadata.sorted_tables:
        if rows[table] and table.name not in (*ROLLUP_TABLES, *COUNTERS):
            _insert_all(table, [dict(r) for r in rows[table]])
    if db.engine.dialect.name == "postgresql":  # ids continue after the restored rows
        _set_sequences([t for t in rows if rows[t]], '(SELECT max(id) FROM "{t}")')
    for table in db.metadata.sorted_tables:  # a table filled by a trigger but not named a rollup, or
        if table.name in COUNTERS:
            continue
        if table.name in ROLLUP_TABLES or not rows[table]:  # the reverse, would make this fail
            assert len(db.session.execute(table.select()).all()) == len(rows[table]), table.name
    db.session.commit()  # last: a test's other connections find the database free (SQLite)


def _insert_all(table, rows):
    """The rows in one multi-row INSERT (SQLAlchemy's "insertmanyvalues", which it uses with RETURNING):
    as a plain list of parameters, psycopg sent a statement per row, and PostgreSQL ran the
    statement-level rollup triggers once for each (0.4 s of every demo test)."""
    keys = list(table.primary_key.columns)
    if keys:
        db.session.execute(table.insert().returning(*keys), rows).all()
    else:
        db.session.execute(table.insert(), rows)


def _set_sequences(tables, value):
    """setval(<the id sequence>, value) of each table with a serial id (PostgreSQL, one round trip)."""
    selects = [
        f"SELECT setval(pg_get_serial_sequence('\"{t.name}\"', 'id'), {value.format(t=t.name)})"
        for t in tables
        if "id" in t.c and t.c.id.primary_key and t.c.id.autoincrement in (True, "auto")
    ]
    if selects:
        db.session.execute(text(" UNION ALL ".join(selects)))


class Auth:
    def __init__(self, client):
        self.client = client

    def token(self):
        return self.client.get("/api/csrf").get_json()["csrf_token"]

    def login(self, username="faskel", password="kotaku-demo"):
        return self.client.post(
            "/login", data={"username": username, "password": password, "csrf_token": self.token()}
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.token()})

    def post(self, url, **data):
        return self.client.post(url, data={**data, "csrf_token": self.token()})

    def sync(self, records):
        return self.client.post("/api/sync", json={"records": records}, headers={"X-CSRFToken": self.token()})


@pytest.fixture
def auth(client):
    return Auth(client)
