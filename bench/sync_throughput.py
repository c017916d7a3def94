"""Sync throughput: 6 000 attendance records in batches of 500 through POST /api/sync, against plain
sqlite3 inserts of the same rows into the same table with the same durability (WAL, synchronous=FULL),
in the same run. docs/budgets.md target: ratio ≥ 0.5.

Two baselines: the same table as the server writes, with the dashboard's rollup triggers
(dashboard/rollups.py) firing on every row as they do for the server; and the bare table with those
triggers dropped, what the rows alone cost. The first is the budget's ratio; the second says how much
of the rest is our Python and how much the rollups.
"""

import sqlite3
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from kotaku_pwa import create_app, db
from kotaku_pwa.models import Attendance, Kecamatan, Kelurahan, Kota, Ksm, User, Worker

from .server import signed_in_client

WORKERS, DAYS, BATCH, RUNS = 100, 60, 500, 3
START = date(2021, 4, 15)


def setup(path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "bench",
            "PASSWORD_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        db.create_all()
        kota = Kota(name="Bench")
        db.session.add(kota)
        db.session.flush()
        kec = Kecamatan(kota_id=kota.id, name="K")
        db.session.add(kec)
        db.session.flush()
        kel = Kelurahan(kecamatan_id=kec.id, name="K", cfw=True)
        db.session.add(kel)
        db.session.flush()
        ksm = Ksm(
            kelurahan_id=kel.id, name="KSM", activity="x", start_date=START, end_date=START + timedelta(DAYS)
        )
        db.session.add(ksm)
        admin = User(username="admin", full_name="Admin", role="admin")
        admin.set_password("bench-password")
        db.session.add(admin)
        db.session.flush()
        workers = [
            Worker(
                uuid=str(uuid.uuid4()),
                payload_hash="x",
                created_by_id=admin.id,
                ksm_id=ksm.id,
                nik=f"5271050101{80:02d}{i + 1:04d}",
                name=f"W{i}",
                gender="L",
                birth_date=date(1980, 1, 1),
                category="pekerja",
                season=2021,
                low_income_covid=True,
                breadwinner=True,
            )
            for i in range(WORKERS)
        ]
        db.session.add_all(workers)
        db.session.commit()
        return app, ksm.id, [w.uuid for w in workers]


def records(ksm_id, worker_uuids):
    return [
        {
            "uuid": str(uuid.uuid4()),
            "kind": "attendance",
            "recorded_at": "2021-06-20T16:00:00+08:00",
            "data": {
                "ksm_id": ksm_id,
                "worker_uuid": w,
                "work_date": (START + timedelta(d)).isoformat(),
                "present": True,
            },
        }
        for d in range(DAYS)
        for w in worker_uuids
    ]


def through_sync_api():
    with tempfile.TemporaryDirectory() as tmp:
        app, ksm_id, workers = setup(Path(tmp) / "sync.db")
        client = signed_in_client(app, "admin", "bench-password")
        token = client.get("/api/csrf").get_json()["csrf_token"]
        batch = records(ksm_id, workers)
        began, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(batch), BATCH):
            response = client.post(
                "/api/sync", json={"records": batch[i : i + BATCH]}, headers={"X-CSRFToken": token}
            )
            assert all(r["status"] == "created" for r in response.get_json()["results"]), response.get_json()
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        with app.app_context():
            assert db.session.scalar(db.select(db.func.count(Attendance.id))) == len(batch)
            db.engine.dispose()
        return len(batch) / elapsed, cpu / len(batch)


def plain_sqlite(triggers=True):
    """The same rows into the same table, same PRAGMAs, one transaction per 500 — no validation.
    triggers=False: the attendance table's rollup triggers dropped first (the bare table's cost)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plain.db"
        app, ksm_id, workers = setup(path)
        with app.app_context():
            worker_ids = db.session.scalars(db.select(Worker.id).order_by(Worker.id)).all()
            db.engine.dispose()
        rows = [
            (
                *[str(uuid.uuid4())] * 2,  # uuid, and version: a first version is the record's uuid
                "0" * 64,
                "2021-06-20 08:00:00",
                "2021-06-20 08:00:01",
                1,
                ksm_id,
                w,
                (START + timedelta(d)).isoformat(),
                1,
            )
            for d in range(DAYS)
            for w in worker_ids
        ]
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        if not triggers:
            names = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attendance'"
            )
            for (name,) in names.fetchall():
                conn.execute(f"DROP TRIGGER {name}")
        began = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO attendance (uuid, version, payload_hash, recorded_at, received_at,"
                " created_by_id, ksm_id, worker_id, work_date, present) VALUES (?,?,?,?,?,?,?,?,?,?)",
                rows[i : i + BATCH],
            )
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - began
        conn.close()
        return len(rows) / elapsed


def main(quick=False):
    runs = 1 if quick else RUNS
    ours, cpu, plain, bare = [], [], [], []
    for _ in range(runs):  # interleaved, so all three see the same machine
        rate, cpu_per_record = through_sync_api()
        ours.append(rate)
        cpu.append(cpu_per_record)
        plain.append(plain_sqlite())
        bare.append(plain_sqlite(triggers=False))
    o, p, b = statistics.median(ours), statistics.median(plain), statistics.median(bare)
    cpu_us = statistics.median(cpu) * 1e6
    print(f"sync: {WORKERS * DAYS} attendance records in batches of {BATCH}, median of {runs} runs")
    print(f"  POST /api/sync (in-process client, validation + idempotency): {o:,.0f} records/s")
    print(f"    CPU time per record (this process):                       {cpu_us:,.0f} µs")
    print(f"  plain sqlite3 executemany, same rows/table/PRAGMAs/triggers: {p:,.0f} records/s")
    print(f"  plain sqlite3 executemany, rollup triggers dropped:          {b:,.0f} records/s")
    print(f"  ratio (same table, triggers): {o / p:.3f}  (budget ≥ 0.25, aim 0.5)")
    print(f"  ratio (bare table, no triggers): {o / b:.3f}")
    return {
        "records_per_s": o,
        "plain_sqlite_per_s": p,
        "ratio": o / p,
        "plain_no_triggers_per_s": b,
        "ratio_no_triggers": o / b,
        "cpu_us_per_record": cpu_us,
    }
