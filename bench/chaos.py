"""Chaos sync (docs/budgets.md, "Reliability"): each record stored exactly once while the server is killed.

On a fresh database (SQLite temp file, or --postgres URL: a new kotaku_chaos_<random> database there,
dropped afterwards) with `flask db upgrade` + `flask demo`, the real app runs under gunicorn (3 workers
of gunicorn.conf.py and its threads, own process group). Client processes sign in like phones and send
valid mixed records in batches, in order, resending a batch until every record has an answer naming
its uuid (after a refused or torn connection or a 5xx; after a 400/401 they fetch a CSRF token or sign
in again; and now and then they hang up early, as a phone losing signal does). Faskel clients register
their own workers, then send their attendance (mid May to mid July 2021, after the demo's story),
meetings and health checks; bendahara clients pay the demo workers of KSM Tanjung Karang 1 for two
April weeks (days = the stored HOK), plus attendance and health checks. Meanwhile the process group is
SIGKILLed at random moments (the answered-record count crossing random thresholds, then a random
delay) and restarted. Then: every sent uuid exactly once in its table, no rows beyond demo + sent,
rupiah paid = rupiah sent, PRAGMA integrity_check on SQLite, and the gunicorn log searched for 5xx and
"database is locked" (--keep keeps the temp dir with that log). Exit status 1 when a record is lost,
duplicated, extra or rejected, the rupiah differ, or the log shows "database is locked".

--naive is the control: the same clients against naive_app (a plain INSERT per record, a commit each,
no uuid check), killed the same way. Replies lost after a commit make clients resend, so duplicates
must show; there exit status 1 means none did (the harness would be blind).

    python -m bench chaos [--clients 20 --records 500 --kills 10] [--postgres URL | --naive] [--keep]
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import date, timedelta
from http.client import HTTPException
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

from kotaku_pwa.demo_story import WEEK_2

ROOT = Path(__file__).resolve().parents[1]
SECRET = "chaos-secret"  # fixed: a restarted server still reads the clients' session cookies
OTHERS = ("meeting_attendee", "conflict")
TABLES = ["worker", "attendance", "payment", "meeting", "health_check"]
# Work days after the demo's story (its weeks in KSM Tanjung Karang 1 are recorded, one verified: locked)
# up to the KSMs' last day: a record on them is new, never a clash with the demo nor a held change.
DAYS = [WEEK_2[1] + timedelta(d) for d in range(1, (date(2021, 7, 15) - WEEK_2[1]).days + 1)]
ATTENDEES = [{"name": "Aini", "gender": "P", "role": "ksm"}, {"name": "Ali", "gender": "L", "role": "warga"}]
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "3", "--access-logfile", "-"]
PERIODS = [(date(2021, 4, 15), date(2021, 4, 21)), (date(2021, 4, 22), date(2021, 4, 28))]


class Client:
    """A phone's outbox: urllib with a cookie jar."""

    def __init__(self, url, username, hangups):
        self.url, self.username, self.hangups = url, username, hangups
        self.token, self.stats = None, Counter()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, path, body=None, headers=None, wait=60):
        self.stats["requests"] += 1
        try:
            request = urllib.request.Request(self.url + path, body, headers or {})
            with self.opener.open(request, timeout=wait) as response:
                return response.status, response.read()
        except urllib.request.HTTPError as error:
            return error.code, error.read()

    def sign_in(self):
        for attempt in range(2):
            status, body = self.call("/api/csrf")
            answer = json.loads(body) if status == 200 else {}
            if answer.get("user"):
                self.token = answer["csrf_token"]
                return
            if attempt == 0 and status == 200:
                self.stats["sign_ins"] += 1
                form = dict(username=self.username, password="kotaku-demo", csrf_token=answer["csrf_token"])
                self.call("/login", urllib.parse.urlencode(form).encode())
        raise ConnectionError("not signed in")

    def send(self, batch):
        """Resend until every record has an answer naming its uuid; return the answers."""
        body = json.dumps({"records": batch}).encode()
        while True:
            # Now and then the phone loses the reply (signal gone): it stops waiting and resends.
            wait = random.uniform(0.05, 1.0) if random.random() < self.hangups else 60
            try:
                if self.token is None:
                    self.sign_in()
                headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
                status, reply = self.call("/api/sync", body, headers, wait)
                if status == 200:
                    results = json.loads(reply)["results"]
                    if [r.get("uuid") for r in results] == [r["uuid"] for r in batch]:
                        return results
                elif status in (400, 401):
                    self.token = None  # the CSRF token or the session is gone: fetch / sign in again
                self.stats["5xx"] += status >= 500
            except TimeoutError:
                self.stats["hang-ups"] += 1
            except (OSError, HTTPException, ValueError, KeyError):
                pass  # refused, reset, a torn reply: the server is down or (re)starting
            self.stats["retries"] += 1
            time.sleep(random.uniform(0.05, 0.3))


def run_client(url, username, records, args, progress, queue):
    random.seed()  # forked clients must not share their back-off sleeps
    client, answers, batch_size = Client(url, username, args.hangups), {}, args.batch
    for i in range(0, len(records), batch_size):
        for result in client.send(records[i : i + batch_size]):
            answers[result["uuid"]] = result["status"]
        with progress.get_lock():
            progress.value += len(records[i : i + batch_size])
    queue.put((client.stats, answers))


def record(kind, day, **data):
    return {"uuid": str(uuid.uuid4()), "kind": kind, "recorded_at": f"{day}T16:00:00+08:00", "data": data}


def attendance(ksm, worker_uuid, day):
    return record("attendance", day, ksm_id=ksm[0], worker_uuid=worker_uuid, work_date=str(day), present=True)


def health(ksm, day):
    place = {"kelurahan_id": ksm[1], "ksm_id": ksm[0], "checked_on": str(day), "setting": "worksite"}
    checks = {"distancing": True, "handwash_soap": True, "temp_morning": True}
    return record("health_check", day, **place, **checks, people_present=12, masks_worn=11, fever_cases=0)


def meeting(ksm, day):
    place = {"kelurahan_id": ksm[1], "ksm_id": ksm[0], "place": "Balai warga", "attendees": ATTENDEES}
    return record("meeting", day, **place, type="sosialisasi", held_on=str(day))


def faskel_records(n, index, ksm, rng):
    """Own workers first; then, shuffled, ~80 % their attendance, meetings and health checks."""
    person = {"gender": "L", "category": "pekerja", "phone": "081234567890", "low_income_covid": True}
    person |= {"lost_income": False, "breadwinner": True, "ksm_id": ksm[0]}
    count = max(1, -(-n * 4 // 5 // len(DAYS)))  # enough workers for ~80 % attendance
    serials = range(1000 + index * count, 1000 + (index + 1) * count)  # unique to this client
    nik = "527103120385{:04d}"  # kecamatan 527103, born 12-03-1985 (a man), the serial
    workers = [record("worker", DAYS[0], nik=nik.format(s), name=f"Chaos {s}", **person) for s in serials]
    pairs = [(w["uuid"], d) for w in workers for d in DAYS]
    rest = [attendance(ksm, w, d) for w, d in rng.sample(pairs, min(n * 4 // 5, len(pairs)))]
    rest += [(health, meeting)[i % 2](ksm, rng.choice(DAYS)) for i in range(n - len(workers) - len(rest))]
    rng.shuffle(rest)
    return workers + rest


def bendahara_records(n, ksm, workers, rates, rng):
    """Payments for these demo workers (days = their stored HOK), then attendance, health checks."""
    records = []
    for worker, category, hok in workers:
        for (start, end), days in zip(PERIODS, hok, strict=True):
            rate, paid_on = rates[category], end + timedelta(1)
            period = {"period_start": str(start), "period_end": str(end), "paid_on": str(paid_on)}
            money = {"days": days, "daily_rate": rate, "amount": days * rate, "method": "cash"}
            money["no_proof_reason"] = "Uji beban: tanpa tanda tangan"  # cash needs proof or a reason
            records.append(record("payment", paid_on, ksm_id=ksm[0], worker_uuid=worker, **period, **money))
    pairs = [(w, d) for w, _, _ in workers for d in DAYS]
    records += [attendance(ksm, w, d) for w, d in pairs[: max(0, n - len(records))]]
    records += [health(ksm, rng.choice(DAYS)) for _ in range(n - len(records))]
    rng.shuffle(records)
    return records


def plan(app, args, rng):
    """[(username, records)] per client, from what the demo database holds."""
    from kotaku_pwa import db
    from kotaku_pwa.models import Attendance, Kelurahan, Ksm, Worker
    from kotaku_pwa.payments.queries import ksm_rates

    with app.app_context():
        faskel = db.select(Ksm).join(Kelurahan).where(Kelurahan.name.in_(["Tanjung Karang", "Pagutan"]))
        ksms = [(k.id, k.kelurahan_id) for k in db.session.scalars(faskel)]
        tk1 = db.session.scalars(db.select(Ksm).where(Ksm.name == "KSM Tanjung Karang 1")).one()
        rates, workers = ksm_rates(tk1), []
        for w in db.session.scalars(db.select(Worker).where(Worker.ksm_id == tk1.id).order_by(Worker.id)):
            hok = db.select(db.func.count()).where(Attendance.worker_id == w.id, Attendance.present)
            hok = [db.session.scalar(hok.where(Attendance.work_date.between(*p))) for p in PERIODS]
            workers.append((w.uuid, w.category, hok))
        db.engine.dispose()
    clients, payers, tk1 = [], min(args.payers, args.clients), (tk1.id, tk1.kelurahan_id)
    for i in range(args.clients):
        if i < payers:  # each demo worker paid by one bendahara client
            mine = workers[i::payers]
            clients.append(("bendahara", bendahara_records(args.records, tk1, mine, rates, rng)))
        else:
            clients.append(("faskel", faskel_records(args.records, i, ksms[i % len(ksms)], rng)))
    return clients


def naive_app():
    """The control: INSERT every record as it comes, no uuid check, one commit per record."""
    from flask import Flask, jsonify, request

    app = Flask("naive")

    @app.get("/api/csrf")
    @app.get("/healthz")
    def signed_in():
        return jsonify(csrf_token="naive", user={"id": 1})

    @app.post("/api/sync")
    def sync():
        records = request.get_json()["records"]
        conn = sqlite3.connect(os.environ["NAIVE_DB"], timeout=30, isolation_level=None)  # autocommit
        for r in records:
            row = (r["uuid"], r["kind"], json.dumps(r["data"]))
            conn.execute("INSERT INTO naive_record VALUES (NULL, ?, ?, ?)", row)
        conn.close()
        return jsonify(results=[{"uuid": r["uuid"], "status": "created"} for r in records])

    return app


class Server:
    """gunicorn in its own process group, so one killpg takes the master and every worker."""

    def __init__(self, target, env, log_path):
        self.target, self.env, self.log_path, self.process = target, env, log_path, None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.bind = f"127.0.0.1:{s.getsockname()[1]}"
        self.url = f"http://{self.bind}"

    def start(self):
        argv = [*GUNICORN, "--bind", self.bind, self.target]
        with open(self.log_path, "ab") as log:  # access log and errors
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        for _ in range(600):
            try:
                return urllib.request.urlopen(self.url + "/healthz", timeout=2).close()
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited, see {self.log_path}") from None
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not answer /healthz")

    def signal(self, signum):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signum)
            self.process.wait(30)


def snapshot(app, naive):
    """(per table: rows per uuid), rupiah paid, (meeting attendees, conflicts)."""
    from kotaku_pwa import db

    with app.app_context():
        rows = db.session.execute(db.text("SELECT kind, uuid, data FROM naive_record")).all() if naive else []
        uuids = {t: Counter(u for k, u, _ in rows if k == t) for t in TABLES}
        paid = sum(json.loads(d)["amount"] for k, _, d in rows if k == "payment")
        others = (2 * uuids["meeting"].total(), 0)
        if not naive:
            uuids = {t: Counter(db.session.scalars(db.text(f"SELECT uuid FROM {t}"))) for t in TABLES}
            paid = db.session.scalar(db.text("SELECT COALESCE(SUM(amount), 0) FROM payment"))
            others = tuple(db.session.scalar(db.text(f"SELECT COUNT(*) FROM {t}")) for t in OTHERS)
        db.engine.dispose()
    return uuids, int(paid), others


def chaos(args, url, env, tmp):
    from kotaku_pwa import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    rng = random.Random(args.seed)
    clients, before = plan(app, args, rng), snapshot(app, args.naive)
    total = sum(len(records) for _, records in clients)
    thresholds = sorted(rng.uniform(0.03, 0.95) * total for _ in range(args.kills))
    server = Server("bench.chaos:naive_app()" if args.naive else "app:app", env, f"{tmp}/gunicorn.log")
    ctx = multiprocessing.get_context("fork")
    progress, queue, outcomes, kills = ctx.Value("q", 0), ctx.Queue(), [], 0
    work = [(server.url, user, records, args, progress, queue) for user, records in clients]
    procs = [ctx.Process(target=run_client, args=a) for a in work]
    try:
        server.start()
        began = time.perf_counter()
        for p in procs:
            p.start()
        while len(outcomes) < len(procs):
            while not queue.empty():
                outcomes.append(queue.get())
            if not any(p.is_alive() for p in procs) and queue.empty() and len(outcomes) < len(procs):
                raise RuntimeError("a client process died")
            if kills < len(thresholds) and progress.value >= thresholds[kills]:
                time.sleep(rng.uniform(0, 0.3))
                server.signal(signal.SIGKILL)
                kills += 1
                time.sleep(rng.uniform(0.2, 1.0))
                server.start()
            time.sleep(0.01)
        elapsed = time.perf_counter() - began
        server.signal(signal.SIGTERM)
    finally:
        server.signal(signal.SIGKILL)
        for p in procs:
            if p.is_alive():
                p.kill()
    log = Path(server.log_path).read_text(errors="replace")
    return report(args, app, clients, outcomes, before, snapshot(app, args.naive), kills, elapsed, log)


def report(args, app, clients, outcomes, before, after, kills, elapsed, log):
    stats, answers = Counter(), {}
    for client_stats, client_answers in outcomes:
        stats.update(client_stats)
        answers.update(client_answers)
    n = len(answers)
    records = {r["uuid"]: r for _, rs in clients for r in rs}
    delivered = {u: r for u, r in records.items() if answers[u] in ("created", "duplicate")}
    (was, paid_before, others_before), (now, paid_after, others_after) = before, after
    lost = [u for u, r in delivered.items() if now[r["kind"]][u] == 0]
    duplicated = [u for u, r in delivered.items() if now[r["kind"]][u] > 1]
    sent = Counter(r["kind"] for r in delivered.values())
    added = {t: now[t].total() - was[t].total() for t in TABLES}
    extra = sum(added[t] - sent[t] for t in TABLES) + others_after[1] - others_before[1]
    extra += others_after[0] - others_before[0] - 2 * sent["meeting"]
    rupiah_sent = sum(r["data"]["amount"] for r in delivered.values() if r["kind"] == "payment")
    rupiah_stored = paid_after - paid_before
    name = "NAIVE control" if args.naive else ("PostgreSQL" if args.postgres else "SQLite")
    print(f"chaos sync on {name}: {len(clients)} clients x {args.records} records, batches of {args.batch}")
    print(f"  kill -9 of the gunicorn process group: {kills} kills, {kills} restarts")
    print(
        "  "
        + ", ".join(f"{key}: {stats[key]}" for key in ("requests", "retries", "sign_ins", "hang-ups", "5xx"))
    )
    print(f"  final answers: {dict(Counter(answers.values()))} ('duplicate' = a resend after a lost reply)")
    print(f"  time: {elapsed:.1f} s, {n / elapsed:,.0f} records/s (restarts included)")
    fives, locked = len(re.findall(r'" 5\d\d ', log)), log.count("database is locked")
    print(f"  server log: {fives} 5xx, {locked} 'database is locked', {log.count('Traceback')} tracebacks")
    print("  rows added/sent: " + ", ".join(f"{t} {added[t]}/{sent[t]}" for t in TABLES))
    rejected = n - len(delivered)
    print(f"  lost: {len(lost)}  duplicated: {len(duplicated)}  extra rows: {extra}  rejected: {rejected}")
    for u in (lost + duplicated)[:3]:
        print(f"    e.g. {delivered[u]['kind']} {u}: {now[delivered[u]['kind']][u]} rows")
    if args.postgres:
        print("  integrity: PostgreSQL, the row checks above")
    else:
        with sqlite3.connect(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")) as conn:
            print(f"  integrity_check: {conn.execute('PRAGMA integrity_check').fetchone()[0]}")
    equal = "equal" if rupiah_sent == rupiah_stored else f"DIFFERENT by Rp {rupiah_stored - rupiah_sent:,}"
    print(f"  payment totals: sent Rp {rupiah_sent:,}, stored Rp {rupiah_stored:,}: {equal}")
    if args.naive:
        print("  control: " + ("the harness sees duplicates" if duplicated else "FAILED, no duplicates seen"))
        return 0 if duplicated else 1
    return int(bool(lost or duplicated or extra or rejected or locked or rupiah_sent != rupiah_stored))


def main(argv=()):
    parser = argparse.ArgumentParser(prog="python -m bench chaos", description=__doc__.split("\n")[0])
    for flag, default in ("clients", 20), ("records", 500), ("kills", 10), ("batch", 25), ("payers", 2):
        parser.add_argument(f"--{flag}", type=int, default=default)  # records: per client; payers: bendahara
    parser.add_argument("--hangups", type=float, default=0.05, help="share of sends whose reply is lost")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--postgres", metavar="URL", help="server to create a fresh database on")
    parser.add_argument("--naive", action="store_true", help="control run against a naive insert")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, gunicorn.log)")
    args = parser.parse_args(argv)
    if args.naive and args.postgres:
        parser.error("--naive runs on SQLite only")
    kept = args.keep and tempfile.mkdtemp(prefix="kotaku-chaos-")
    with contextlib.nullcontext(kept) if kept else tempfile.TemporaryDirectory(prefix="kotaku-chaos-") as tmp:
        print(f"  server log: {tmp}/gunicorn.log" + ("" if args.keep else " (removed afterwards; --keep)"))
        url, dbname = f"sqlite:///{tmp}/chaos.db", None
        if args.postgres:
            dbname = f"kotaku_chaos_{secrets.token_hex(4)}"
            with psycopg.connect(args.postgres, autocommit=True) as conn:
                conn.execute(f"CREATE DATABASE {dbname}")
            url = urllib.parse.urlsplit(args.postgres)._replace(path=f"/{dbname}").geturl()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "NAIVE_DB": f"{tmp}/chaos.db"}
        env.pop("KOTAKU_BACKDATE_WINDOW_DAYS", None)
        try:
            for command in (["db", "upgrade"], ["demo"]):
                flask = [sys.executable, "-m", "flask", "--app", "app", *command]
                subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
            if args.naive:
                with sqlite3.connect(f"{tmp}/chaos.db") as conn:
                    conn.execute("CREATE TABLE naive_record (id INTEGER PRIMARY KEY, uuid, kind, data)")
            return chaos(args, url, env, tmp)
        finally:
            if dbname:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
