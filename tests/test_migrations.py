"""The Alembic migrations build exactly the schema of the models, on SQLite and (with
TEST_DATABASE_URL) on PostgreSQL, and can be taken back down to an empty database."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

import kotaku_pwa.models  # noqa: F401  (every table on db.metadata)
from kotaku_pwa import _sqlalchemy_url, db

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


def _flask(database_url, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "migration-test",
    }
    env.pop("FLASK_APP", None)
    return subprocess.run(
        [FLASK, "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _schema_diff(database_url):
    """What autogenerate would still change to make the database match the models."""
    engine = create_engine(_sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _tables(database_url):
    engine = create_engine(_sqlalchemy_url(database_url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path}/migrations.db"


@pytest.fixture
def postgresql_url():
    """A new, empty PostgreSQL database on the server of TEST_DATABASE_URL, dropped afterwards."""
    import psycopg

    base = os.environ["TEST_DATABASE_URL"]

    name = f"kotaku_migtest_{uuid.uuid4().hex[:12]}"
    server = make_url(base)
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# PostgreSQL is checked when the suite runs with TEST_DATABASE_URL (make test on PostgreSQL).
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=DATABASES)
def fresh_database(request):
    return request.getfixturevalue(f"{request.param}_url")


def test_upgrade_check_and_downgrade(fresh_database):
    """One walk through the migrations (each `flask` start costs seconds, so one test does it all)."""
    assert _tables(fresh_database) == set()

    # Up: the schema is exactly the models', and `db check` agrees.
    _ok(_flask(fresh_database, "db", "upgrade"))
    assert _tables(fresh_database) == {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
    diff = _schema_diff(fresh_database)
    assert diff == [], "the migrations and the models differ:\n" + "\n".join(map(str, diff))
    _ok(_flask(fresh_database, "db", "check"))

    # One step down: `db check` really compares, and now fails.
    _ok(_flask(fresh_database, "db", "downgrade", "--", "-1"))
    assert _schema_diff(fresh_database) != []
    assert _flask(fresh_database, "db", "check").returncode != 0

    # All the way down leaves no table of ours.
    _ok(_flask(fresh_database, "db", "downgrade", "base"))
    assert _tables(fresh_database) <= {"alembic_version"}

    # And up again on the emptied database.
    _ok(_flask(fresh_database, "db", "upgrade"))
    assert _schema_diff(fresh_database) == []


def test_demo_loads_on_the_migrated_schema(sqlite_url):
    """`make run` does `db upgrade` then `demo --if-empty` on a fresh SQLite file."""
    _ok(_flask(sqlite_url, "db", "upgrade"))
    first = _ok(_flask(sqlite_url, "demo", "--if-empty"))
    assert "Akun demo" in first.stdout
    second = _ok(_flask(sqlite_url, "demo", "--if-empty"))
    assert second.stdout.strip() == ""


def test_the_ksm_programme_is_filled_from_its_kelurahan(fresh_database):
    """Issue 13: DFAT where the kelurahan runs DFAT only, else CFW (a kelurahan of both keeps CFW)."""
    from sqlalchemy import text

    revision = "29c2082ebb6c"  # the migration that adds ksm.programme
    _ok(_flask(fresh_database, "db", "upgrade", f"{revision}-1"))
    engine = create_engine(_sqlalchemy_url(fresh_database))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO kota (id, name, wage_pekerja, wage_tukang, wage_mandor) "
                    "VALUES (1, 'Mataram', 1, 1, 1)"
                )
            )
            connection.execute(text("INSERT INTO kecamatan (id, kota_id, name) VALUES (1, 1, 'Ampenan')"))
            for kelurahan_id, name, cfw, dfat in (
                (1, "Pejeruk", True, False),
                (2, "Kebon Sari", False, True),
                (3, "Ampenan Utara", True, True),
            ):
                connection.execute(
                    text(
                        "INSERT INTO kelurahan (id, kecamatan_id, name, cfw, dfat, bpm_allocation) "
                        "VALUES (:i, 1, :n, :c, :d, 0)"
                    ),
                    {"i": kelurahan_id, "n": name, "c": cfw, "d": dfat},
                )
                connection.execute(
                    text(
                        "INSERT INTO ksm (kelurahan_id, name, activity, budget, start_date, end_date, "
                        "pay_period) VALUES (:i, :n, 'Kegiatan', 0, '2021-04-15', '2021-07-15', 'weekly')"
                    ),
                    {"i": kelurahan_id, "n": f"KSM {name}"},
                )
        _ok(_flask(fresh_database, "db", "upgrade"))
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT name, programme FROM ksm")).all())
    finally:
        engine.dispose()
    assert rows == {"KSM Pejeruk": "CFW", "KSM Kebon Sari": "DFAT", "KSM Ampenan Utara": "CFW"}
