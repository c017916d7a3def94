"""The dashboard at a national season, on SQLite and PostgreSQL, at 720 000 and 3 000 000 attendance
rows (`flask generate --kelurahan 120|500 --workers 100 --days 60`, one database per size).

Printed per database and size: how long `flask generate` took, then for each page (admin's and a
supervisor's /dashboard, the kelurahan drill-down, a KSM page, admin's home, export.csv and
export.xlsx) the median and the fastest server time of RUNS warm requests through the app (Flask
test client, no network; every page rendered, none remembered) and the median CPU time the request
used: this process's (time.process_time: the app, and all of SQLite) plus, on PostgreSQL, that of the
server processes serving the app's connections (read from /proc: the database runs on this machine).
On a machine shared with other jobs the wall time mostly measures waiting for a core; the CPU time
much less (a shared core still runs slower). The load average is printed beside the figures.

Budgets (issue 10): the dashboard ≤ 300 ms, export.csv ≤ 1 s.

BENCH_DATA=<folder>: keep the generated data between runs (SQLite files in the folder; PostgreSQL
schemas `dashboard_<kelurahan>` in BENCH_PG_URL's database), reused while it holds the rows asked for;
without it the data is made afresh and dropped. BENCH_PG_URL (default: the local `test` database);
PostgreSQL is skipped, saying why, when it does not answer. Takes minutes: not part of `make test`.
"""

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, func, inspect, text

from kotaku_pwa import create_app, db
from kotaku_pwa.dashboard.rollups import ROLLUP_TABLES, install_triggers, rebuild
from kotaku_pwa.models import Attendance, Kelurahan, Kota, Ksm, User

from .server import signed_in_client

SIZES = (120, 500)  # kelurahan: 120 × 100 workers × 60 days = 720 000 rows, 500 → 3 000 000
WORKERS, DAYS = 100, 60
RUNS = 9
PASSWORD = "bench-password"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BUDGET_MS = {"dashboard": 300, "dashboard (supervisor)": 300, "export.csv": 1000}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pages(ids):
    """(name, user, url) of the pages measured."""
    return [
        ("dashboard", "admin", "/dashboard/"),
        ("dashboard (supervisor)", "supervisor", "/dashboard/"),
        ("kelurahan drill-down", "admin", f"/dashboard/kelurahan/{ids['kelurahan']}"),
        ("ksm page", "admin", f"/dashboard/ksm/{ids['ksm']}"),
        ("home (admin)", "admin", "/"),
        ("export.csv", "admin", "/dashboard/export.csv"),
        ("export.xlsx", "admin", "/dashboard/export.xlsx"),
    ]


class ServerCpu:
    """CPU seconds used by the PostgreSQL server processes behind the app's connections."""

    def __init__(self, engine):
        self.pids = set()
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", lambda dbapi, _record: self.pids.add(dbapi.info.backend_pid))

    def seconds(self):
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a connection closed since
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        return total / CLOCK_TICKS


@contextmanager
def measured(cpu: ServerCpu):
    """Yield a dict that receives wall and cpu (ms) of the block."""
    figures = {}
    wall, own, server = time.perf_counter(), time.process_time(), cpu.seconds()
    yield figures
    figures["wall"] = (time.perf_counter() - wall) * 1000
    figures["cpu"] = (time.process_time() - own + cpu.seconds() - server) * 1000


def _app(url):
    # Every request renders its page: the budget is what a dashboard costs after a write changed it,
    # not the same page remembered (kotaku_pwa/remembered_pages.py; `bench pages` measures that).
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    return create_app({**config, "PAGE_MEMORY": 0})


def _rows():
    return db.session.scalar(db.select(func.count()).select_from(Attendance))


def _prepare(app, kelurahan, cpu):
    """Generate the data unless the database already holds it; (rows, generate figures or None)."""
    with app.app_context():
        if "attendance" in inspect(db.engine).get_table_names() and _rows() == kelurahan * WORKERS * DAYS:
            db.session.rollback()  # the write lock of SQLite's BEGIN IMMEDIATE, for the schema's connection
            _update_schema()
            return _rows(), None
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        admin = User(username="admin", full_name="Admin", role="admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        runner = app.test_cli_runner()
        args = ["generate", "--kelurahan", str(kelurahan), "--workers", str(WORKERS), "--days", str(DAYS)]
        with measured(cpu) as took:
            result = runner.invoke(args=args)
        if result.exit_code:
            raise RuntimeError(result.output) from result.exception
        supervisor = User(username="supervisor", full_name="Askot", role="supervisor")
        supervisor.kota_id = db.session.scalar(db.select(Kota.id))
        supervisor.set_password(PASSWORD)
        db.session.add(supervisor)
        db.session.commit()
        return _rows(), took


def _update_schema():
    """Bring kept data up to this checkout's models: new tables, indexes and triggers, and the
    rollups recounted when one of them is new since the data was generated."""
    before = set(inspect(db.engine).get_table_names())
    db.create_all()
    for table in db.metadata.sorted_tables:
        for index in table.indexes:
            index.create(db.engine, checkfirst=True)
    with db.engine.begin() as connection:
        install_triggers(connection)
    if set(ROLLUP_TABLES) - before:
        rebuild()
        db.session.commit()


def measure(app, cpu):
    """{page: {"wall": median ms, "fastest": least ms, "cpu": median ms}} over RUNS warm requests of
    each page (the fastest is the one least held up by other jobs on a shared machine)."""
    with app.app_context():
        ids = {
            "kelurahan": db.session.scalar(db.select(func.min(Kelurahan.id))),
            "ksm": db.session.scalar(db.select(func.min(Ksm.id))),
        }
    clients = {name: signed_in_client(app, name, PASSWORD) for name in ("admin", "supervisor")}
    figures = {}
    for name, user, url in pages(ids):
        assert clients[user].get(url).status_code == 200, url  # warm: the first request fills caches
        runs = []
        for _ in range(RUNS):
            with measured(cpu) as took:
                response = clients[user].get(url)
            assert response.status_code == 200, (url, response.status_code)
            runs.append(took)
        figures[name] = {key: statistics.median(r[key] for r in runs) for key in ("wall", "cpu")}
        figures[name]["fastest"] = min(r["wall"] for r in runs)
    return figures


def _load():
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def run(name, urls):
    """Measure each size on its database; print and return {size: figures}."""
    results = {}
    for kelurahan, url in urls:
        app = _app(url)
        with app.app_context():
            cpu = ServerCpu(db.engine)
        rows, generated = _prepare(app, kelurahan, cpu)
        figures = measure(app, cpu)
        with app.app_context():
            db.engine.dispose()
        how = (
            f"generated in {generated['wall'] / 1000:.0f} s (CPU {generated['cpu'] / 1000:.0f} s)"
            if generated
            else "kept from an earlier run"
        )
        print(f"\n{name}, {rows:,} attendance rows ({how}); load average {_load()}")
        print(f"  {'page':24} {'wall ms':>8} {'fastest':>8} {'CPU ms':>8}  budget")
        for page, f in figures.items():
            budget = BUDGET_MS.get(page)
            verdict = "" if budget is None else f"≤ {budget} {'ok' if f['wall'] <= budget else 'OVER'}"
            if budget is not None and f["wall"] > budget and f["cpu"] <= budget:
                verdict += " (CPU within)"
            print(f"  {page:24} {f['wall']:8.0f} {f['fastest']:8.0f} {f['cpu']:8.0f}  {verdict}", flush=True)
        results[f"{rows}"] = {"pages": figures, **({"generate": generated} if generated else {})}
    return results


def _schema_url(url, schema):
    """The PostgreSQL URL with its own schema first in the search path (created if missing)."""
    from sqlalchemy import create_engine

    from kotaku_pwa import _sqlalchemy_url

    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _drop_schemas(url, schemas):
    from sqlalchemy import create_engine

    from kotaku_pwa import _sqlalchemy_url

    engine = create_engine(_sqlalchemy_url(url))
    with engine.begin() as connection:
        for schema in schemas:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def _pg_answers():
    try:
        _drop_schemas(PG_URL, [])
        return True
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL, say why
        print(f"PostgreSQL skipped ({error.__class__.__name__}: {str(error).splitlines()[0]})")
        return False


def over_budget(results):
    """Whether a page with a budget took longer (wall time) on any database and size."""
    return any(
        f["wall"] > BUDGET_MS[page]
        for sizes in results.values()
        for size in sizes.values()
        for page, f in size["pages"].items()
        if page in BUDGET_MS
    )


def main(sizes=SIZES, databases=("sqlite", "postgresql")):
    print(f"Dashboard at national scale (median of {RUNS} warm requests, server time and its CPU time)")
    keep = os.environ.get("BENCH_DATA")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if "sqlite" in databases:
            urls = [(n, f"sqlite:///{folder / f'dashboard-{n}.db'}") for n in sizes]
            results["sqlite"] = run("SQLite", urls)
    if "postgresql" in databases and _pg_answers():
        schemas = [f"dashboard_{n}" for n in sizes]
        urls = [(n, _schema_url(PG_URL, schema)) for n, schema in zip(sizes, schemas, strict=True)]
        results["postgresql"] = run("PostgreSQL", urls)
        if not keep:
            _drop_schemas(PG_URL, schemas)
    return {**results, "over_budget": over_budget(results)}


if __name__ == "__main__":
    # python -m bench.dashboard [kelurahan ...] [sqlite|postgresql]: sizes and databases to measure.
    sizes = tuple(int(a) for a in sys.argv[1:] if a.isdigit()) or SIZES
    databases = tuple(a for a in sys.argv[1:] if not a.isdigit()) or ("sqlite", "postgresql")
    sys.exit(1 if main(sizes, databases)["over_budget"] else 0)
