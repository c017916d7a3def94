"""The rollups the dashboard reads, kept by the database: hok_daily (present days per KSM, day and
wage category) and paid_period (wages paid per KSM and pay period, net of reversals, and payments
made without signature or photo).

At a national season attendance holds millions of rows; counting them for every dashboard view
would take seconds. Triggers on `attendance` (insert, update, delete) and on `worker` (a corrected
category) adjust hok_daily in the same transaction as the write, whatever path writes it: the sync
engine's multi-row INSERT, a supervisor keeping an incoming record, `flask generate`, a correction.
Payments are never edited: triggers on payment (insert, delete) and payment_reversal (insert,
delete) keep paid_period. `flask rollups rebuild` recounts both; tests/test_dashboard_rollups.py
checks that the kept figures equal a recount after every kind of write.
"""

import click
from sqlalchemy import case, event, func, text

from .. import db
from ..models import Attendance, HokDaily, PaidPeriod, Payment, Worker

ROLLUP_TABLES = ("hok_daily", "paid_period")  # filled by the triggers below, never written directly

_UPSERT = (
    "INSERT INTO hok_daily (ksm_id, work_date, category, present) "
    "SELECT {ksm}, {day}, {category}, 1 FROM worker WHERE id = {worker} {extra}"
    "ON CONFLICT (ksm_id, work_date, category) DO UPDATE SET present = hok_daily.present + 1"
)
_TAKE = (
    "UPDATE hok_daily SET present = present - 1 WHERE ksm_id = {ksm} AND work_date = {day} "
    "AND category = (SELECT category FROM worker WHERE id = {worker}) {extra}"
)
_MOVE_OUT = (
    "UPDATE hok_daily SET present = present - 1 WHERE category = OLD.category AND EXISTS ("
    "SELECT 1 FROM attendance a WHERE a.worker_id = OLD.id AND a.present {true} "
    "AND a.ksm_id = hok_daily.ksm_id AND a.work_date = hok_daily.work_date)"
)
_MOVE_IN = (
    "INSERT INTO hok_daily (ksm_id, work_date, category, present) "
    "SELECT a.ksm_id, a.work_date, NEW.category, 1 FROM attendance a "
    "WHERE a.worker_id = NEW.id AND a.present {true} "
    "ON CONFLICT (ksm_id, work_date, category) DO UPDATE SET present = hok_daily.present + 1"
)


_FLAG = "CASE WHEN {p}.signature IS NULL AND {p}.photo IS NULL THEN 1 ELSE 0 END"
_PAY = (
    "INSERT INTO paid_period (ksm_id, period_start, paid, flagged) "
    "VALUES (NEW.ksm_id, NEW.period_start, NEW.amount, " + _FLAG.format(p="NEW") + ") "
    "ON CONFLICT (ksm_id, period_start) DO UPDATE SET paid = paid_period.paid + excluded.paid, "
    "flagged = paid_period.flagged + excluded.flagged"
)


def _unpay(payment_id, sign, extra=""):
    """Take a payment out of (sign '-') or back into (sign '+') its period's totals."""
    one = "(SELECT {} FROM payment WHERE id = " + payment_id + ")"
    return (
        f"UPDATE paid_period SET paid = paid {sign} {one.format('amount')}, "
        f"flagged = flagged {sign} {one.format(_FLAG.format(p='payment'))} "
        f"WHERE ksm_id = {one.format('ksm_id')} AND period_start = {one.format('period_start')}{extra}"
    )


_STANDING = " AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = OLD.id)"


def _sqlite_ddl():
    new = {"ksm": "NEW.ksm_id", "day": "NEW.work_date", "worker": "NEW.worker_id"}
    old = {"ksm": "OLD.ksm_id", "day": "OLD.work_date", "worker": "OLD.worker_id"}
    add_new = _UPSERT.format(category="category", extra="AND NEW.present ", **new)
    take_old = _TAKE.format(extra="AND OLD.present", **old)
    return [
        f"CREATE TRIGGER IF NOT EXISTS hok_daily_insert AFTER INSERT ON attendance BEGIN {add_new}; END",
        "CREATE TRIGGER IF NOT EXISTS hok_daily_update AFTER UPDATE OF ksm_id, worker_id, work_date, present "
        f"ON attendance BEGIN {take_old}; {add_new}; END",
        f"CREATE TRIGGER IF NOT EXISTS hok_daily_delete AFTER DELETE ON attendance BEGIN {take_old}; END",
        "CREATE TRIGGER IF NOT EXISTS hok_daily_worker AFTER UPDATE OF category ON worker "
        f"WHEN OLD.category <> NEW.category BEGIN {_MOVE_OUT.format(true='')}; "
        f"{_MOVE_IN.format(true='')}; END",
        f"CREATE TRIGGER IF NOT EXISTS paid_period_insert AFTER INSERT ON payment BEGIN {_PAY}; END",
        "CREATE TRIGGER IF NOT EXISTS paid_period_delete BEFORE DELETE ON payment "
        f"BEGIN {_unpay('OLD.id', '-', _STANDING)}; END",
        "CREATE TRIGGER IF NOT EXISTS paid_period_reversal AFTER INSERT ON payment_reversal "
        f"BEGIN {_unpay('NEW.payment_id', '-')}; END",
        "CREATE TRIGGER IF NOT EXISTS paid_period_unreversal AFTER DELETE ON payment_reversal "
        f"BEGIN {_unpay('OLD.payment_id', '+')}; END",
    ]


def _postgresql_ddl():
    new = {"ksm": "NEW.ksm_id", "day": "NEW.work_date", "worker": "NEW.worker_id"}
    old = {"ksm": "OLD.ksm_id", "day": "OLD.work_date", "worker": "OLD.worker_id"}
    add_new = _UPSERT.format(category="category", extra="", **new)
    take_old = _TAKE.format(extra="", **old)
    return [
        "CREATE OR REPLACE FUNCTION hok_daily_attendance() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN IF OLD.present THEN {take_old}; END IF; END IF; "
        f"IF TG_OP <> 'DELETE' THEN IF NEW.present THEN {add_new}; END IF; END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS hok_daily_attendance ON attendance",
        "CREATE TRIGGER hok_daily_attendance AFTER INSERT OR DELETE OR UPDATE OF ksm_id, worker_id, "
        "work_date, present ON attendance FOR EACH ROW EXECUTE FUNCTION hok_daily_attendance()",
        "CREATE OR REPLACE FUNCTION hok_daily_worker() RETURNS trigger AS $$ BEGIN "
        f"{_MOVE_OUT.format(true='')}; {_MOVE_IN.format(true='')}; RETURN NULL; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS hok_daily_worker ON worker",
        "CREATE TRIGGER hok_daily_worker AFTER UPDATE OF category ON worker FOR EACH ROW "
        "WHEN (OLD.category IS DISTINCT FROM NEW.category) EXECUTE FUNCTION hok_daily_worker()",
        "CREATE OR REPLACE FUNCTION paid_period_payment() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_PAY}; RETURN NULL; END IF; "
        f"{_unpay('OLD.id', '-', _STANDING)}; RETURN OLD; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS paid_period_insert ON payment",
        "CREATE TRIGGER paid_period_insert AFTER INSERT ON payment FOR EACH ROW "
        "EXECUTE FUNCTION paid_period_payment()",
        "DROP TRIGGER IF EXISTS paid_period_delete ON payment",
        "CREATE TRIGGER paid_period_delete BEFORE DELETE ON payment FOR EACH ROW "
        "EXECUTE FUNCTION paid_period_payment()",
        "CREATE OR REPLACE FUNCTION paid_period_reversal() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_unpay('NEW.payment_id', '-')}; "
        f"ELSE {_unpay('OLD.payment_id', '+')}; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS paid_period_reversal ON payment_reversal",
        "CREATE TRIGGER paid_period_reversal AFTER INSERT OR DELETE ON payment_reversal FOR EACH ROW "
        "EXECUTE FUNCTION paid_period_reversal()",
    ]


DROP = {
    "sqlite": [f"DROP TRIGGER IF EXISTS hok_daily_{n}" for n in ("insert", "update", "delete", "worker")]
    + [f"DROP TRIGGER IF EXISTS paid_period_{n}" for n in ("insert", "delete", "reversal", "unreversal")],
    "postgresql": [
        "DROP TRIGGER IF EXISTS hok_daily_attendance ON attendance",
        "DROP TRIGGER IF EXISTS hok_daily_worker ON worker",
        "DROP FUNCTION IF EXISTS hok_daily_attendance()",
        "DROP FUNCTION IF EXISTS hok_daily_worker()",
        "DROP TRIGGER IF EXISTS paid_period_insert ON payment",
        "DROP TRIGGER IF EXISTS paid_period_delete ON payment",
        "DROP TRIGGER IF EXISTS paid_period_reversal ON payment_reversal",
        "DROP FUNCTION IF EXISTS paid_period_payment()",
        "DROP FUNCTION IF EXISTS paid_period_reversal()",
    ],
}


def install_triggers(connection):
    """Create the triggers that keep hok_daily (idempotent); used by create_all and the migration."""
    ddl = {"sqlite": _sqlite_ddl, "postgresql": _postgresql_ddl}[connection.dialect.name]()
    for statement in ddl:
        connection.execute(text(statement))


def drop_triggers(connection):
    for statement in DROP[connection.dialect.name]:
        connection.execute(text(statement))


@event.listens_for(db.metadata, "after_create")
def _after_create(target, connection, **kw):
    install_triggers(connection)


def recount():
    """The select of hok_daily's rows counted from attendance (what the triggers must keep)."""
    return (
        db.select(Attendance.ksm_id, Attendance.work_date, Worker.category, func.count(Attendance.id))
        .join(Worker, Attendance.worker_id == Worker.id)
        .where(Attendance.present.is_(True))
        .group_by(Attendance.ksm_id, Attendance.work_date, Worker.category)
    )


def recount_paid():
    """The select of paid_period's rows counted from the payments that stand."""
    from .figures import flagged, not_reversed

    return (
        db.select(
            Payment.ksm_id,
            Payment.period_start,
            func.sum(Payment.amount),
            func.sum(case((flagged(), 1), else_=0)),
        )
        .where(not_reversed())
        .group_by(Payment.ksm_id, Payment.period_start)
    )


def rebuild():
    """Recount the rollups from attendance and payments (after a bulk load, or to repair)."""
    db.session.execute(db.delete(HokDaily))
    db.session.execute(
        db.insert(HokDaily).from_select(["ksm_id", "work_date", "category", "present"], recount())
    )
    db.session.execute(db.delete(PaidPeriod))
    db.session.execute(
        db.insert(PaidPeriod).from_select(["ksm_id", "period_start", "paid", "flagged"], recount_paid())
    )


@click.group("rollups")
def rollups_cli():
    """The rollups the dashboard reads."""


@rollups_cli.command("rebuild")
def rebuild_command():
    """Recount hok_daily from attendance."""
    rebuild()
    db.session.commit()
    rows = [db.session.scalar(db.select(func.count()).select_from(m)) for m in (HokDaily, PaidPeriod)]
    click.echo(f"Dihitung ulang: hok_daily {rows[0]} baris, paid_period {rows[1]} baris.")
