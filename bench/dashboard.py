"""The dashboard at a national season: admin's /dashboard, / and export.csv at 720 000 and 3 000 000
attendance rows (`flask generate`: 100 workers × 60 days per kelurahan), on SQLite and PostgreSQL.

Server time = the time of the request through the app (Flask test client, no network), with the
app's CPU time beside it (a shared machine's wall time is mostly waiting for a core). Budgets
(issue 10): dashboard ≤ 300 ms, export.csv ≤ 1 s. PostgreSQL runs when BENCH_PG_URL (default: the
local `test` database, emptied) answers. Takes minutes: not part of `make test`.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, text

from kotaku_pwa import create_app, db
from kotaku_pwa.models import Attendance, User

SIZES = (120, 500)  # kelurahan: 120 × 100 × 60 = 720 000 rows, 500 → 3 000 000
RUNS = 5
PAGES = {"dashboard": "/dashboard/", "home": "/", "export.csv": "/dashboard/export.csv"}
BUDGET_MS = {"dashboard": 300, "home": 300, "export.csv": 1000}
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _app(url):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    )
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        admin = User(username="admin", full_name="Admin", role="admin")
        admin.set_password("bench-password")
        db.session.add(admin)
        db.session.commit()
    return app


def _grow(app, kelurahan):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(
            args=["generate", "--kelurahan", str(kelurahan), "--workers", "100", "--days", "60"]
        )
    if result.exit_code:
        raise RuntimeError(result.output) from result.exception


def _measure(app):
    client = app.test_client()
    with app.app_context():
        token = client.get("/api/csrf").get_json()["csrf_token"]
    client.post("/login", data={"username": "admin", "password": "bench-password", "csrf_token": token})
    figures, cpu = {}, {}
    for name, url in PAGES.items():
        times, used = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            used.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        figures[name], cpu[name] = statistics.median(times), statistics.median(used)
    return figures, cpu


def run(name, url, sizes=SIZES):
    """Grow the data to each size and print the median server times."""
    app = _app(url)
    grown, failed = 0, False
    for kelurahan in sizes:
        started = time.perf_counter()
        _grow(app, kelurahan - grown)
        grown = kelurahan
        took = time.perf_counter() - started
        with app.app_context():
            rows = db.session.scalar(db.select(func.count()).select_from(Attendance))
        figures, cpu = _measure(app)
        # The app's own CPU time beside the wall time: on a shared machine the wall time mostly
        # measures waiting for a core (and, on PostgreSQL, the server's work is not in the CPU time).
        line = ", ".join(
            f"{page} {ms:.0f} ms{'' if ms <= BUDGET_MS[page] else ' (OVER)'} (app CPU {cpu[page]:.0f} ms)"
            for page, ms in figures.items()
        )
        failed |= any(ms > BUDGET_MS[page] for page, ms in figures.items())
        print(f"{name:10} {rows:>9,} attendance rows (generated in {took:.0f} s): {line}", flush=True)
    with app.app_context():
        db.engine.dispose()
    return failed


def _pg_answers():
    try:
        from sqlalchemy import create_engine

        from kotaku_pwa import _sqlalchemy_url

        engine = create_engine(_sqlalchemy_url(PG_URL))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception as error:  # noqa: BLE001 - any failure means: skip PostgreSQL, say why
        print(f"PostgreSQL skipped ({error.__class__.__name__})")
        return False


def main(sizes=SIZES):
    print("Dashboard at national scale (median of 5, admin, server time)")
    with tempfile.TemporaryDirectory() as tmp:
        failed = run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", sizes)
    if _pg_answers():
        failed |= run("PostgreSQL", PG_URL, sizes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(tuple(int(n) for n in sys.argv[1:]) or SIZES))
