"""p90/p99 of a 20-record sync at 50 concurrent clients, under gunicorn.conf.py (`make run`'s settings).
Budget (docs/budgets.md, QUALITY.md): p90 ≤ 300 ms on 2 cores.

50 phones (threads of this process; the server is another) sign in, then each sends its own records,
the chaos bench's mix (bench/chaos.py: a facilitator's new workers, then their attendance, meetings and
health checks; a treasurer's payments and attendance), in batches of 20, one after the other, as fast
as the server answers. Every record must come back stored (`created`): a refused one would measure a
cheaper path.
"""

import random
import statistics
import threading
import time
from collections import Counter
from types import SimpleNamespace

from kotaku_pwa import create_app, db

from .chaos import Client, plan
from .server import SECRET, demo_file, serve_demo, server_cpu

CLIENTS, BATCH = 50, 20


def measure(batches):
    with demo_file() as (path, _), serve_demo(path) as base:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": SECRET})
        sizes = SimpleNamespace(clients=CLIENTS, records=BATCH * batches, payers=2)
        work = plan(app, sizes, random.Random(1))
        with app.app_context():
            db.engine.dispose()
        phones = [Client(base, username, hangups=0) for username, _ in work]
        for phone in phones:
            phone.sign_in()
        latencies, statuses, start = [], Counter(), threading.Barrier(CLIENTS + 1)

        def send_all(phone, records):
            start.wait()
            for i in range(0, len(records), BATCH):
                began = time.perf_counter()
                results = phone.send(records[i : i + BATCH])
                latencies.append(time.perf_counter() - began)  # list.append: safe across threads
                statuses.update(r["status"] for r in results)

        pairs = zip(phones, (records for _, records in work), strict=True)
        threads = [threading.Thread(target=send_all, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        cpu_before = server_cpu(base)
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed, cpu = time.perf_counter() - began, server_cpu(base) - cpu_before
    if set(statuses) != {"created"}:
        raise RuntimeError(f"records not stored as new: {dict(statuses)}")
    retries = sum(p.stats["retries"] for p in phones)
    ordered = sorted(latencies)

    def percentile(p):
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000

    return {
        "batches_per_s": len(latencies) / elapsed,
        "records_per_s": sum(statuses.values()) / elapsed,
        "median_ms": statistics.median(latencies) * 1000,
        "p90_ms": percentile(90),
        "p99_ms": percentile(99),
        "cpu_ms_per_batch": cpu * 1000 / len(latencies),
        "retries": retries,
    }


def main(quick=False):
    batches = 3 if quick else 8
    f = measure(batches)
    print(f"sync at {CLIENTS} concurrent clients, {batches} batches of {BATCH} records each, gunicorn:")
    print(f"  {f['batches_per_s']:.0f} batches/s, {f['records_per_s']:.0f} records/s, {f['retries']} retries")
    print(f"  latency median {f['median_ms']:.0f} ms, p90 {f['p90_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms")
    print(f"  server CPU {f['cpu_ms_per_batch']:.1f} ms per batch; budget: p90 ≤ 300 ms")
    return f
