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


@pytest.fixture(autouse=True)
def image_store(tmp_path, monkeypatch):
    """The image store of the `flask` commands a test runs (kotaku_pwa/storage.py)."""
    monkeypatch.setenv("KOTAKU_IMAGE_STORE", str(tmp_path / "images"))
    return tmp_path / "images"


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


# Each database in its own run of the suite: SQLite in `make test`, PostgreSQL when it runs with
# TEST_DATABASE_URL (CI runs both; the migration walks cost half a minute each).
DATABASES = ["postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


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


def _insert(connection, table, **values):
    from sqlalchemy import text

    names = ", ".join(values)
    return connection.execute(
        text(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(":" + n for n in values)})'), values
    )


def _place(c, wage_pekerja, user):
    """Kota 1, kecamatan 1, kelurahan 1, KSM 1 (weekly, from 15 April 2021) and user 1 (username, full
    name, role), as rows of the schema under test."""
    _insert(c, "kota", id=1, name="Mataram", wage_pekerja=wage_pekerja, wage_tukang=1, wage_mandor=1)
    _insert(c, "kecamatan", id=1, kota_id=1, name="Ampenan")
    _insert(c, "kelurahan", id=1, kecamatan_id=1, name="Pejeruk", cfw=True, dfat=False, bpm_allocation=0)
    _insert(
        c, "ksm", id=1, kelurahan_id=1, name="KSM 1", activity="Drainase", budget=0,
        start_date="2021-04-15", end_date="2021-07-15", pay_period="weekly",
    )  # fmt: skip
    username, full_name, role = user
    _insert(
        c, "user", id=1, username=username, full_name=full_name, role=role, password_hash="x",
        active=True, created_at="2021-04-01 00:00:00",
    )  # fmt: skip


def _synced(n):
    return {
        "uuid": f"00000000-0000-4000-8000-{n:012d}",
        "payload_hash": "h",
        "received_at": "2021-04-22 08:00:00",
    }


def test_images_move_out_of_the_database_and_back(fresh_database, image_store):
    """Issue 14, item 5: the migration puts every BLOB in the image store and keeps its key and size;
    the rows around them (a meeting's attendance list, the paid_period rollup) are untouched, and the
    rollup triggers follow the columns up and down."""
    import base64
    import hashlib
    import json

    from sqlalchemy import text

    from kotaku_pwa.storage import FolderStore

    revision = "8d3c1f5a2b64"  # the migration that takes the images out of the database
    _ok(_flask(fresh_database, "db", "upgrade", f"{revision}-1"))
    signature, photo = b"\x89PNG\r\n\x1a\nsignature", b"\xff\xd8\xffphoto"
    receipt, site = b"\xff\xd8\xffreceipt", b"\xff\xd8\xffsite"
    engine = create_engine(_sqlalchemy_url(fresh_database))
    try:
        with engine.begin() as c:
            _place(c, wage_pekerja=1, user=("b", "B", "bendahara"))
            _insert(
                c, "worker", id=1, ksm_id=1, nik="5271050101850001", name="Ali", gender="L",
                birth_date="1985-01-01", category="pekerja", low_income_covid=True, lost_income=True,
                breadwinner=True, season=2021, created_by_id=1, version=_synced(1)["uuid"], **_synced(1),
            )  # fmt: skip
            pay = {
                "ksm_id": 1, "worker_id": 1, "period_start": "2021-04-15", "period_end": "2021-04-21",
                "days": 1, "daily_rate": 76000, "amount": 76000, "paid_on": "2021-04-22", "method": "cash",
                "created_by_id": 1,
            }  # fmt: skip
            _insert(c, "payment", id=1, round=1, signature=signature, photo=photo, **pay, **_synced(2))
            _insert(c, "payment", id=2, round=2, **pay, **_synced(3))  # no proof: flagged
            _insert(
                c, "spending", id=1, ksm_id=1, spent_on="2021-04-16", category="apd", description="Masker",
                amount=1000, receipt_photo=receipt, created_by_id=1, **_synced(4),
            )  # fmt: skip
            meeting = {"kelurahan_id": 1, "ksm_id": 1, "type": "sosialisasi", "programme": "CFW"}
            _insert(
                c, "meeting", id=1, held_on="2021-04-10", place="Balai", topics="[]", outcomes="[]",
                photo=photo, created_by_id=1, version=_synced(5)["uuid"], **meeting, **_synced(5),
            )  # fmt: skip
            _insert(c, "meeting_attendee", meeting_id=1, position=1, name="Ina", gender="P", role="warga")
            _insert(
                c, "progress_report", id=1, ksm_id=1, reported_on="2021-04-20", percent=0, photo=site,
                created_by_id=1, **_synced(6),
            )  # fmt: skip
            _insert(
                c, "record_version", uuid=_synced(7)["uuid"], kind="meeting", record_id=1, payload_hash="h",
                data=json.dumps({"place": "Balai lama", "photo": base64.b64encode(site).decode()}),
                received_at="2021-04-10 09:00:00", created_by_id=1, replaced_by=_synced(5)["uuid"],
                superseded_at="2021-04-11 09:00:00", superseded_by_id=1,
            )  # fmt: skip
        assert _paid(engine) == (152000, 1)

        _ok(_flask(fresh_database, "db", "upgrade"))
        assert _schema_diff(fresh_database) == []
        store = FolderStore(image_store)
        with engine.connect() as c:
            rows = {
                "signature": c.execute(
                    text("SELECT signature_key, signature_size FROM payment WHERE id = 1")
                ).one(),
                "photo": c.execute(text("SELECT photo_key, photo_size FROM payment WHERE id = 1")).one(),
                "receipt": c.execute(
                    text("SELECT receipt_photo_key, receipt_photo_size FROM spending")
                ).one(),
                "meeting": c.execute(text("SELECT photo_key, photo_size FROM meeting")).one(),
                "site": c.execute(text("SELECT photo_key, photo_size FROM progress_report")).one(),
            }
            unsigned = c.execute(text("SELECT signature_key, photo_key FROM payment WHERE id = 2")).one()
            attendees = c.execute(text("SELECT count(*) FROM meeting_attendee")).scalar()
            version = c.execute(text("SELECT data FROM record_version")).scalar()
        images = {"signature": signature, "photo": photo, "receipt": receipt, "meeting": photo, "site": site}
        for name, data in images.items():
            key, size = rows[name]
            assert (key, size) == (hashlib.sha256(data).hexdigest(), len(data)), name
            assert store.get(key) == data, name
        assert tuple(unsigned) == (None, None)
        assert attendees == 1  # no table was rebuilt: the attendance list is still there
        version = json.loads(version) if isinstance(version, str) else version
        assert "photo" not in version and store.get(version["photo_key"]) == site
        assert _paid(engine) == (152000, 1)
        with engine.begin() as c:  # the triggers now read the key columns
            _insert(c, "payment", id=3, round=3, **pay, **_synced(8))
        assert _paid(engine) == (228000, 2)
        _ok(_flask(fresh_database, "images", "check"))
        store.delete(rows["receipt"][0])
        missing = _flask(fresh_database, "images", "check")
        assert missing.returncode == 1 and f"HILANG: {rows['receipt'][0]}" in missing.stdout

        store.put(receipt)
        _ok(_flask(fresh_database, "db", "downgrade", f"{revision}-1"))
        with engine.connect() as c:
            back = c.execute(text("SELECT signature, photo FROM payment WHERE id = 1")).one()
            receipt_back = c.execute(text("SELECT receipt_photo FROM spending")).scalar()
            version = c.execute(text("SELECT data FROM record_version")).scalar()
        assert (bytes(back[0]), bytes(back[1]), bytes(receipt_back)) == (signature, photo, receipt)
        version = json.loads(version) if isinstance(version, str) else version
        assert base64.b64decode(version["photo"]) == site and "photo_key" not in version
        with engine.begin() as c:  # and the triggers read the BLOB columns again
            _insert(c, "payment", id=4, round=4, **pay, **_synced(9))
        assert _paid(engine) == (304000, 3)
    finally:
        engine.dispose()


def _paid(engine):
    from sqlalchemy import text

    with engine.connect() as c:
        return tuple(c.execute(text("SELECT paid, flagged FROM paid_period")).one())


def test_the_new_rollups_start_as_a_recount(fresh_database):
    """Migration fb6dc07fa896 fills hok_period, overpaid_period and ksm_workers from what is stored,
    and the triggers installed after it keep them."""
    from sqlalchemy import text

    _ok(_flask(fresh_database, "db", "upgrade", "fb6dc07fa896-1"))
    engine = create_engine(_sqlalchemy_url(fresh_database))
    try:
        with engine.begin() as c:
            _place(c, wage_pekerja=76000, user=("f", "F", "fasilitator"))
            for n, gender in ((1, "L"), (2, "P")):
                _insert(
                    c, "worker", id=n, ksm_id=1, nik=f"527105010185000{n}", name=f"W{n}", gender=gender,
                    birth_date="1985-01-01", category="pekerja", low_income_covid=True, lost_income=True,
                    breadwinner=True, season=2021, created_by_id=1, version=_synced(n)["uuid"], **_synced(n),
                )  # fmt: skip
            for n, (day, present) in enumerate(
                (("2021-04-15", True), ("2021-04-16", False), ("2021-04-23", True))
            ):
                _insert(
                    c, "attendance", ksm_id=1, worker_id=1, work_date=day, present=present, created_by_id=1,
                    version=_synced(10 + n)["uuid"], **_synced(10 + n),
                )  # fmt: skip
            _insert(
                c,
                "payment",
                id=1,
                round=1,
                ksm_id=1,
                worker_id=1,
                period_start="2021-04-15",
                period_end="2021-04-21",
                days=2,
                daily_rate=76000,
                amount=152000,
                paid_on="2021-04-22",
                method="cash",
                created_by_id=1,
                **_synced(20),
            )  # paid for 2 days, 1 worked: Rp 76.000 overpaid
        _ok(_flask(fresh_database, "db", "upgrade"))
        with engine.begin() as c:
            rows = {
                t: c.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2")).all()
                for t in ("hok_period", "ksm_workers")
            }
            overpaid = c.execute(text("SELECT worker_id, period_start, amount FROM overpaid_period")).all()
            assert [(r[0], str(r[1]), r[2], r[3]) for r in rows["hok_period"]] == [
                (1, "2021-04-15", "pekerja", 1),
                (1, "2021-04-22", "pekerja", 1),
            ]
            assert [tuple(r) for r in rows["ksm_workers"]] == [(1, 2, 1)]
            assert [(w, str(s), a) for w, s, a in overpaid] == [(1, "2021-04-15", 76000)]
            c.execute(text("UPDATE attendance SET present = true WHERE work_date = '2021-04-16'"))
            assert c.execute(text("SELECT count(*) FROM overpaid_period")).scalar() == 0  # kept by triggers
    finally:
        engine.dispose()
