"""The rollups the dashboard reads (hok_daily, hok_period, paid_period, overpaid_period, ksm_workers)
equal a recount after
every kind of write, whatever path made it: ORM rows, the sync engine's multi-row INSERT, a present
flag changed, a row deleted, a worker's category corrected, a reversal made or taken back, one
statement changing many rows. SQLite and PostgreSQL (TEST_DATABASE_URL) each run their own triggers
(row triggers on SQLite; statement triggers over transition tables on PostgreSQL)."""

from collections import Counter
from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.dashboard.rollups import rebuild, recount, recount_overpaid, recount_paid, recount_workers
from kotaku_pwa.models import (
    Attendance,
    HokDaily,
    HokPeriod,
    Ksm,
    KsmWorkers,
    OverpaidPeriod,
    PaidPeriod,
    Payment,
    PaymentReversal,
    Worker,
)
from kotaku_pwa.storage import stored
from kotaku_pwa.wages import period_of
from tests.factories import PASSWORD, attendance_record, make_kelurahan, make_ksm, make_user, worker_record
from tests.test_dashboard import SIGNATURE, _present, _synced, _worker


def _kept_rows():
    """The rollups as stored (hok_period checked against its own count, see _kept)."""
    hok = {(r.ksm_id, r.work_date, r.category): r.present for r in db.session.scalars(db.select(HokDaily))}
    rows = db.session.scalars(db.select(PaidPeriod))
    paid = {(r.ksm_id, r.period_start): (r.paid, r.flagged) for r in rows}
    over = {
        (r.ksm_id, r.worker_id, r.period_start, r.period_end): r.amount
        for r in db.session.scalars(db.select(OverpaidPeriod))
    }
    return {k: v for k, v in hok.items() if v}, {k: v for k, v in paid.items() if v != (0, 0)}, over


def _kept():
    """The rollups as stored (as _kept_rows), after checking hok_period and ksm_workers against
    their own counts."""
    kept = _kept_rows()
    periods = {
        (r.ksm_id, r.period_start, r.category): r.present for r in db.session.scalars(db.select(HokPeriod))
    }
    assert {k: v for k, v in periods.items() if v} == _periods_counted()
    workers = {r.ksm_id: (r.workers, r.women) for r in db.session.scalars(db.select(KsmWorkers))}
    counted = {ksm_id: (n, int(women)) for ksm_id, n, women in db.session.execute(recount_workers())}
    assert {k: v for k, v in workers.items() if v != (0, 0)} == counted
    return kept


def _periods_counted():
    """hok_period counted in Python: each present day in its KSM pay period (wages.period_of)."""
    rows = db.session.execute(
        db.select(Attendance.ksm_id, Attendance.work_date, Worker.category, Ksm.start_date, Ksm.pay_period)
        .join(Worker, Attendance.worker_id == Worker.id)
        .join(Ksm, Attendance.ksm_id == Ksm.id)
        .where(Attendance.present.is_(True))
    )
    return Counter(
        (ksm_id, period_of(day, start, date.max, pay_period)[0], category)
        for ksm_id, day, category, start, pay_period in rows
    )


def _counted():
    hok = {(k, d, c): n for k, d, c, n in db.session.execute(recount())}
    paid = {(k, s): (int(p), int(f)) for k, s, p, f in db.session.execute(recount_paid())}
    over = {(k, w, s, e): int(a) for k, w, s, e, a in db.session.execute(recount_overpaid())}
    return hok, paid, over


def assert_rollups_equal_recount():
    db.session.commit()
    kept, counted = _kept(), _counted()
    assert kept == counted
    return counted


@pytest.fixture
def ksm(app):
    kelurahan = make_kelurahan()
    ksm = make_ksm(kelurahan)
    user = make_user("fasilitator", username="faskel-uji", kelurahan=[kelurahan])
    db.session.commit()
    return ksm, user


def _payment(ksm, worker, user, amount, signature=None, start=date(2021, 4, 15), days=1):
    payment = Payment(
        ksm_id=ksm.id, worker_id=worker.id, period_start=start, period_end=date(2021, 4, 21), days=days,
        daily_rate=amount // days, amount=amount, paid_on=date(2021, 4, 22), method="cash",
        **stored("signature", signature), **_synced(user),
    )  # fmt: skip
    db.session.add(payment)
    db.session.flush()
    return payment


def test_attendance_writes_keep_hok_daily(ksm):
    ksm, user = ksm
    a = _worker(ksm, user, "pekerja", "L", 1)
    b = _worker(ksm, user, "tukang", "P", 2)
    _present(ksm, a, user, date(2021, 4, 15), date(2021, 4, 16))
    _present(ksm, b, user, date(2021, 4, 15))
    _present(ksm, b, user, date(2021, 4, 16), present=False)
    hok, _, _ = assert_rollups_equal_recount()
    assert hok == {
        (ksm.id, date(2021, 4, 15), "pekerja"): 1,
        (ksm.id, date(2021, 4, 16), "pekerja"): 1,
        (ksm.id, date(2021, 4, 15), "tukang"): 1,
    }
    # A day ticked absent, another present, by ORM update (a supervisor keeping an incoming record).
    rows = {(r.worker_id, r.work_date): r for r in db.session.scalars(db.select(Attendance))}
    rows[(a.id, date(2021, 4, 16))].present = False
    rows[(b.id, date(2021, 4, 16))].present = True
    assert_rollups_equal_recount()
    # A worker's category corrected moves their days.
    a.category = "mandor"
    hok, _, _ = assert_rollups_equal_recount()
    assert hok[(ksm.id, date(2021, 4, 15), "mandor")] == 1
    # Rows deleted (bulk, as a test clean-up or a repair would).
    db.session.execute(db.delete(Attendance).where(Attendance.worker_id == b.id))
    hok, _, _ = assert_rollups_equal_recount()
    assert hok == {(ksm.id, date(2021, 4, 15), "mandor"): 1}


def test_worker_writes_keep_ksm_workers(ksm):
    """Workers and women per KSM follow registrations, a corrected gender, a move and a deletion."""
    ksm, user = ksm
    other = make_ksm(ksm.kelurahan, name="KSM Dua")
    a = _worker(ksm, user, "pekerja", "L", 1)
    b = _worker(ksm, user, "tukang", "P", 2)
    _worker(other, user, "pekerja", "P", 3)
    assert_rollups_equal_recount()
    assert db.session.get(KsmWorkers, ksm.id).women == 1
    a.gender = "P"
    assert_rollups_equal_recount()
    b.ksm_id = other.id
    assert_rollups_equal_recount()
    assert (db.session.get(KsmWorkers, other.id).workers, db.session.get(KsmWorkers, ksm.id).women) == (2, 1)
    db.session.execute(db.delete(Worker).where(Worker.ksm_id == other.id))
    assert_rollups_equal_recount()


def test_the_sync_engine_keeps_hok_daily(ksm, client, auth):
    ksm, user = ksm

    auth.login("faskel-uji", PASSWORD)
    worker = worker_record(ksm.id)
    days = ["2021-04-15", "2021-04-16", "2021-04-17"]
    records = [worker] + [attendance_record(ksm.id, worker["uuid"], day) for day in days]
    response = auth.sync(records)
    assert [r["status"] for r in response.get_json()["results"]] == ["created"] * 4
    hok, _, _ = assert_rollups_equal_recount()
    assert sum(hok.values()) == 3
    # The user's last sync is stamped with the batch.
    assert db.session.get(type(user), user.id).last_sync_at is not None


def test_payments_and_reversals_keep_paid_period(ksm):
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    other = _worker(ksm, user, "pekerja", "P", 2)
    signed = _payment(ksm, w, user, 76_000, signature=SIGNATURE)
    bare = _payment(ksm, other, user, 50_000)
    _, paid, _ = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (126_000, 1)}
    reversal = PaymentReversal(payment_id=bare.id, reason="Salah", created_by_id=user.id)
    db.session.add(reversal)
    _, paid, _ = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (76_000, 0)}
    db.session.delete(reversal)  # taken back (never done by the app, kept right anyway)
    _, paid, _ = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (126_000, 1)}
    db.session.delete(signed)
    _, paid, _ = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (50_000, 1)}


def test_rebuild_repairs_the_rollups(ksm, app):
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    _present(ksm, w, user, date(2021, 4, 15))
    _payment(ksm, w, user, 152_000, days=2)  # one day more than worked: Rp 76.000 overpaid
    db.session.commit()
    db.session.execute(db.delete(OverpaidPeriod))
    db.session.execute(db.delete(HokPeriod))
    db.session.execute(db.delete(KsmWorkers))
    db.session.execute(db.delete(HokDaily))
    db.session.execute(db.update(PaidPeriod).values(paid=1))
    db.session.commit()
    assert _kept_rows() != _counted()
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    counted = "hok_daily 1 baris, paid_period 1 baris, overpaid_period 1 baris, ksm_workers 1 baris"
    assert f"{counted}, hok_period 1 baris" in result.output
    db.session.expire_all()
    assert _kept_rows() == _counted()
    rebuild()  # idempotent
    assert_rollups_equal_recount()


def test_generate_keeps_its_figures_consistent(app):
    make_user("admin")
    args = ["generate", "--kelurahan", "2", "--workers", "5", "--days", "15"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    hok, paid, over = assert_rollups_equal_recount()
    assert sum(hok.values()) == db.session.scalar(
        db.select(db.func.count()).select_from(Attendance).where(Attendance.present.is_(True))
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentReversal)) == 2  # one per KSM
    assert sum(p for p, _ in paid.values()) > 0
    assert over == {}  # every period paid for the days worked
    assert db.session.scalar(db.select(db.func.count()).select_from(Worker)) == 10


def test_overpaid_period_follows_corrections_payments_and_reversals(ksm):
    """A paid day corrected to absent makes an overpayment; a payment or reversal settles it."""
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    other = _worker(ksm, user, "pekerja", "P", 2)
    week = [date(2021, 4, 15 + i) for i in range(5)]
    _present(ksm, w, user, *week)
    _present(ksm, other, user, *week)
    paid = _payment(ksm, w, user, 5 * 76_000, days=5)
    _payment(ksm, other, user, 5 * 76_000, days=5)
    _, _, over = assert_rollups_equal_recount()
    assert over == {}
    friday = db.session.scalars(
        db.select(Attendance).where(Attendance.worker_id == w.id, Attendance.work_date == week[1])
    ).one()
    friday.present = False  # a held correction the supervisor kept
    _, _, over = assert_rollups_equal_recount()
    assert over == {(ksm.id, w.id, week[0], date(2021, 4, 21)): 76_000}
    # A day outside the paid period changes nothing; a day worked again inside it settles it.
    _present(ksm, w, user, date(2021, 4, 22))
    friday.present = True
    _, _, over = assert_rollups_equal_recount()
    assert over == {}
    # Two days of the other worker deleted in one statement; then the payment reversed and taken back.
    db.session.execute(
        db.delete(Attendance).where(Attendance.worker_id == other.id, Attendance.work_date.in_(week[:2]))
    )
    _, _, over = assert_rollups_equal_recount()
    assert over == {(ksm.id, other.id, week[0], date(2021, 4, 21)): 2 * 76_000}
    reversal = PaymentReversal(payment_id=paid.id, reason="Salah", created_by_id=user.id)
    db.session.add(reversal)
    assert_rollups_equal_recount()
    db.session.delete(reversal)
    assert_rollups_equal_recount()
    db.session.delete(paid)  # never done by the app, kept right anyway
    assert_rollups_equal_recount()


def test_one_statement_writing_many_rows_keeps_every_rollup(ksm):
    """Multi-row INSERT, UPDATE and DELETE statements (one trigger call over all their rows on
    PostgreSQL) keep the rollups as row by row writes do."""
    ksm, user = ksm
    workers = [_worker(ksm, user, c, "L", i) for i, c in enumerate(("pekerja", "tukang", "mandor"), 1)]
    week = [date(2021, 4, 15 + i) for i in range(5)]
    rows = [
        {"ksm_id": ksm.id, "worker_id": w.id, "work_date": d, "present": True, **_synced(user)}
        for w in workers
        for d in week
    ]
    # The sync engine's way: one INSERT ... VALUES (...), (...) RETURNING of all the rows.
    db.session.execute(db.insert(Attendance).returning(Attendance.id), rows)
    db.session.execute(
        db.insert(Payment).returning(Payment.id),
        [
                {
                    "ksm_id": ksm.id, "worker_id": w.id, "period_start": week[0],
                    "period_end": date(2021, 4, 21), "days": 5, "daily_rate": 76_000, "amount": 380_000,
                    "paid_on": date(2021, 4, 22), "method": "cash", "round": 1, **_synced(user),
                }
                for w in workers
        ],
    )  # fmt: skip
    hok, paid, over = assert_rollups_equal_recount()
    assert sum(hok.values()) == 15 and paid == {(ksm.id, week[0]): (3 * 380_000, 3)} and over == {}
    db.session.execute(db.update(Attendance).where(Attendance.work_date.in_(week[3:])).values(present=False))
    hok, _, over = assert_rollups_equal_recount()
    assert sum(hok.values()) == 9
    assert over == {(ksm.id, w.id, week[0], date(2021, 4, 21)): 2 * 76_000 for w in workers}
    db.session.execute(db.update(Attendance).values(present=True))
    db.session.execute(db.delete(Attendance).where(Attendance.work_date == week[0]))
    hok, _, over = assert_rollups_equal_recount()
    assert sum(hok.values()) == 12 and sum(over.values()) == 3 * 76_000


def test_hok_period_follows_a_ksm_whose_pay_periods_change(ksm):
    """hok_period sums hok_daily by the KSM's pay periods: new dates or a new length count it again."""
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    _present(ksm, w, user, *[date(2021, 4, 15 + i) for i in range(10)])
    assert_rollups_equal_recount()
    periods = {(s, n) for _, s, _, n in db.session.execute(db.select(HokPeriod.__table__))}
    assert periods == {(date(2021, 4, 15), 7), (date(2021, 4, 22), 3)}
    ksm.pay_period = "biweekly"
    assert_rollups_equal_recount()
    ksm.start_date, ksm.pay_period = date(2021, 4, 12), "weekly"
    assert_rollups_equal_recount()
    periods = {(s, n) for _, s, _, n in db.session.execute(db.select(HokPeriod.__table__))}
    assert periods == {(date(2021, 4, 12), 4), (date(2021, 4, 19), 6)}
