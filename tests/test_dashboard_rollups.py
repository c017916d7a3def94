"""The rollups the dashboard reads (hok_daily, paid_period) equal a recount after every kind of
write, whatever path made it: ORM rows, the sync engine's multi-row INSERT, a present flag changed,
a row deleted, a worker's category corrected, a reversal made or taken back. SQLite and PostgreSQL
(TEST_DATABASE_URL) each run their own triggers."""

from datetime import date

import pytest

from kotaku_pwa import db
from kotaku_pwa.dashboard.rollups import rebuild, recount, recount_paid
from kotaku_pwa.models import Attendance, HokDaily, PaidPeriod, Payment, PaymentReversal, Worker
from kotaku_pwa.storage import stored
from tests.factories import PASSWORD, attendance_record, make_kelurahan, make_ksm, make_user, worker_record
from tests.test_dashboard import SIGNATURE, _present, _synced, _worker


def _kept():
    hok = {(r.ksm_id, r.work_date, r.category): r.present for r in db.session.scalars(db.select(HokDaily))}
    rows = db.session.scalars(db.select(PaidPeriod))
    paid = {(r.ksm_id, r.period_start): (r.paid, r.flagged) for r in rows}
    return {k: v for k, v in hok.items() if v}, {k: v for k, v in paid.items() if v != (0, 0)}


def _counted():
    hok = {(k, d, c): n for k, d, c, n in db.session.execute(recount())}
    paid = {(k, s): (int(p), int(f)) for k, s, p, f in db.session.execute(recount_paid())}
    return hok, paid


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


def _payment(ksm, worker, user, amount, signature=None, start=date(2021, 4, 15)):
    payment = Payment(
        ksm_id=ksm.id, worker_id=worker.id, period_start=start, period_end=date(2021, 4, 21), days=1,
        daily_rate=amount, amount=amount, paid_on=date(2021, 4, 22), method="cash",
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
    hok, _ = assert_rollups_equal_recount()
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
    hok, _ = assert_rollups_equal_recount()
    assert hok[(ksm.id, date(2021, 4, 15), "mandor")] == 1
    # Rows deleted (bulk, as a test clean-up or a repair would).
    db.session.execute(db.delete(Attendance).where(Attendance.worker_id == b.id))
    hok, _ = assert_rollups_equal_recount()
    assert hok == {(ksm.id, date(2021, 4, 15), "mandor"): 1}


def test_the_sync_engine_keeps_hok_daily(ksm, client, auth):
    ksm, user = ksm

    auth.login("faskel-uji", PASSWORD)
    worker = worker_record(ksm.id)
    days = ["2021-04-15", "2021-04-16", "2021-04-17"]
    records = [worker] + [attendance_record(ksm.id, worker["uuid"], day) for day in days]
    response = auth.sync(records)
    assert [r["status"] for r in response.get_json()["results"]] == ["created"] * 4
    hok, _ = assert_rollups_equal_recount()
    assert sum(hok.values()) == 3
    # The user's last sync is stamped with the batch.
    assert db.session.get(type(user), user.id).last_sync_at is not None


def test_payments_and_reversals_keep_paid_period(ksm):
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    other = _worker(ksm, user, "pekerja", "P", 2)
    signed = _payment(ksm, w, user, 76_000, signature=SIGNATURE)
    bare = _payment(ksm, other, user, 50_000)
    _, paid = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (126_000, 1)}
    reversal = PaymentReversal(payment_id=bare.id, reason="Salah", created_by_id=user.id)
    db.session.add(reversal)
    _, paid = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (76_000, 0)}
    db.session.delete(reversal)  # taken back (never done by the app, kept right anyway)
    _, paid = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (126_000, 1)}
    db.session.delete(signed)
    _, paid = assert_rollups_equal_recount()
    assert paid == {(ksm.id, date(2021, 4, 15)): (50_000, 1)}


def test_rebuild_repairs_the_rollups(ksm, app):
    ksm, user = ksm
    w = _worker(ksm, user, "pekerja", "L", 1)
    _present(ksm, w, user, date(2021, 4, 15))
    _payment(ksm, w, user, 76_000)
    db.session.commit()
    db.session.execute(db.delete(HokDaily))
    db.session.execute(db.update(PaidPeriod).values(paid=1))
    db.session.commit()
    assert _kept() != _counted()
    result = app.test_cli_runner().invoke(args=["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "hok_daily 1 baris, paid_period 1 baris" in result.output
    db.session.expire_all()
    assert _kept() == _counted()
    rebuild()  # idempotent
    assert_rollups_equal_recount()


def test_generate_keeps_its_figures_consistent(app):
    make_user("admin")
    args = ["generate", "--kelurahan", "2", "--workers", "5", "--days", "15"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    hok, paid = assert_rollups_equal_recount()
    assert sum(hok.values()) == db.session.scalar(
        db.select(db.func.count()).select_from(Attendance).where(Attendance.present.is_(True))
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentReversal)) == 2  # one per KSM
    assert sum(p for p, _ in paid.values()) > 0
    assert db.session.scalar(db.select(db.func.count()).select_from(Worker)) == 10
