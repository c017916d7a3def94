"""The rollups the dashboard reads, kept by the database: hok_daily (present days per KSM, day and
wage category), paid_period (wages paid per KSM and pay period, net of reversals, and payments made
without signature or photo) and overpaid_period (per worker and pay period, the payments that stand
above the present HOK × the paid daily rate: kelebihan bayar, only where there is some).

At a national season attendance holds millions of rows; counting them for every dashboard view
would take seconds. Triggers on `attendance` (insert, update, delete) and on `worker` (a corrected
category) adjust hok_daily in the same transaction as the write, whatever path writes it: the sync
engine's multi-row INSERT, a supervisor keeping an incoming record, `flask generate`, a correction.
Payments are never edited: triggers on payment (insert, delete) and payment_reversal (insert,
delete) keep paid_period. overpaid_period is recomputed for the worker pay periods a write touches
(an attendance day inside a paid period, a payment, a reversal). On PostgreSQL the triggers on
attendance and payment run once per statement over its rows (transition tables), so a COPY or a
multi-row INSERT of thousands of rows costs a few grouped statements. `flask rollups rebuild`
recounts them all; tests/test_dashboard_rollups.py checks that the kept figures equal a recount
after every kind of write.
"""

import click
from sqlalchemy import case, event, func, inspect, text

from .. import db
from ..models import Attendance, HokDaily, OverpaidPeriod, PaidPeriod, Payment, Worker

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

_OVERPAID = (
    "INSERT INTO overpaid_period (ksm_id, worker_id, period_start, period_end, amount) SELECT * FROM ("
    "SELECT p.ksm_id, p.worker_id, p.period_start, p.period_end, sum(p.amount) - max(p.daily_rate) * ("
    "SELECT count(*) FROM attendance a WHERE a.worker_id = p.worker_id AND a.present "
    "AND a.work_date BETWEEN p.period_start AND p.period_end) AS amount FROM payment p "
    "WHERE (p.worker_id, p.period_start, p.period_end) IN ({groups}) "
    "AND NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.payment_id = p.id) "
    "GROUP BY p.ksm_id, p.worker_id, p.period_start, p.period_end) o WHERE o.amount > 0"
)


def _reprice(groups):
    """Recompute overpaid_period for the (worker_id, period_start, period_end) rows `groups` selects."""
    return (
        f"DELETE FROM overpaid_period WHERE (worker_id, period_start, period_end) IN ({groups}); "
        + _OVERPAID.format(groups=groups)
    )


def _paid_on(row):
    """The pay periods paid to the worker of an attendance row (OLD or NEW) that hold its day."""
    return (
        f"SELECT worker_id, period_start, period_end FROM payment WHERE worker_id = {row}.worker_id "
        f"AND period_start <= {row}.work_date AND period_end >= {row}.work_date"
    )


def _period_of(payment_id):
    return f"SELECT worker_id, period_start, period_end FROM payment WHERE id = {payment_id}"


def _sqlite_ddl() -> dict:
    """{rollup table: the statements creating the triggers that keep it}."""
    new = {"ksm": "NEW.ksm_id", "day": "NEW.work_date", "worker": "NEW.worker_id"}
    old = {"ksm": "OLD.ksm_id", "day": "OLD.work_date", "worker": "OLD.worker_id"}
    add_new = _UPSERT.format(category="category", extra="AND NEW.present ", **new)
    take_old = _TAKE.format(extra="AND OLD.present", **old)
    create = "CREATE TRIGGER IF NOT EXISTS"
    return {
        "hok_daily": [
            f"{create} hok_daily_insert AFTER INSERT ON attendance BEGIN {add_new}; END",
            f"{create} hok_daily_update AFTER UPDATE OF ksm_id, worker_id, work_date, present "
            f"ON attendance BEGIN {take_old}; {add_new}; END",
            f"{create} hok_daily_delete AFTER DELETE ON attendance BEGIN {take_old}; END",
            f"{create} hok_daily_worker AFTER UPDATE OF category ON worker "
            f"WHEN OLD.category <> NEW.category BEGIN {_MOVE_OUT.format(true='')}; "
            f"{_MOVE_IN.format(true='')}; END",
        ],
        "paid_period": [
            f"{create} paid_period_insert AFTER INSERT ON payment BEGIN {_PAY}; END",
            f"{create} paid_period_delete BEFORE DELETE ON payment "
            f"BEGIN {_unpay('OLD.id', '-', _STANDING)}; END",
            f"{create} paid_period_reversal AFTER INSERT ON payment_reversal "
            f"BEGIN {_unpay('NEW.payment_id', '-')}; END",
            f"{create} paid_period_unreversal AFTER DELETE ON payment_reversal "
            f"BEGIN {_unpay('OLD.payment_id', '+')}; END",
        ],
        "overpaid_period": [
            f"{create} overpaid_attendance_insert AFTER INSERT ON attendance WHEN NEW.present "
            f"BEGIN {_reprice(_paid_on('NEW'))}; END",
            f"{create} overpaid_attendance_update AFTER UPDATE OF worker_id, work_date, present "
            f"ON attendance WHEN OLD.present OR NEW.present "
            f"BEGIN {_reprice(_paid_on('OLD'))}; {_reprice(_paid_on('NEW'))}; END",
            f"{create} overpaid_attendance_delete AFTER DELETE ON attendance WHEN OLD.present "
            f"BEGIN {_reprice(_paid_on('OLD'))}; END",
            f"{create} overpaid_payment_insert AFTER INSERT ON payment "
            "BEGIN " + _reprice("SELECT NEW.worker_id, NEW.period_start, NEW.period_end") + "; END",
            f"{create} overpaid_payment_delete AFTER DELETE ON payment "
            "BEGIN " + _reprice("SELECT OLD.worker_id, OLD.period_start, OLD.period_end") + "; END",
            f"{create} overpaid_reversal_insert AFTER INSERT ON payment_reversal "
            f"BEGIN {_reprice(_period_of('NEW.payment_id'))}; END",
            f"{create} overpaid_reversal_delete AFTER DELETE ON payment_reversal "
            f"BEGIN {_reprice(_period_of('OLD.payment_id'))}; END",
        ],
    }


_ADD_ROWS = (
    "INSERT INTO hok_daily (ksm_id, work_date, category, present) "
    "SELECT n.ksm_id, n.work_date, w.category, count(*) FROM new_rows n JOIN worker w ON w.id = n.worker_id "
    "WHERE n.present GROUP BY n.ksm_id, n.work_date, w.category "
    "ON CONFLICT (ksm_id, work_date, category) DO UPDATE SET present = hok_daily.present + excluded.present"
)
_TAKE_ROWS = (
    "UPDATE hok_daily h SET present = h.present - d.n FROM (SELECT o.ksm_id, o.work_date, w.category, "
    "count(*) AS n FROM old_rows o JOIN worker w ON w.id = o.worker_id WHERE o.present "
    "GROUP BY o.ksm_id, o.work_date, w.category) d "
    "WHERE h.ksm_id = d.ksm_id AND h.work_date = d.work_date AND h.category = d.category"
)
_PAY_ROWS = (
    "INSERT INTO paid_period (ksm_id, period_start, paid, flagged) "
    "SELECT n.ksm_id, n.period_start, sum(n.amount), sum(" + _FLAG.format(p="n") + ") FROM new_rows n "
    "GROUP BY n.ksm_id, n.period_start "
    "ON CONFLICT (ksm_id, period_start) DO UPDATE SET paid = paid_period.paid + excluded.paid, "
    "flagged = paid_period.flagged + excluded.flagged"
)


def _statement_trigger(name, event, table, function, tables):
    """A PostgreSQL trigger run once per statement, seeing the rows it wrote as transition tables
    (old_rows, new_rows): a COPY or a multi-row INSERT of thousands of rows adjusts the rollup with
    one grouped statement instead of one per row."""
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def _paid_on_rows(rows):
    """The pay periods paid to the workers of a transition table of attendance that hold its days."""
    return (
        f"SELECT p.worker_id, p.period_start, p.period_end FROM {rows} c JOIN payment p "
        "ON p.worker_id = c.worker_id AND c.work_date BETWEEN p.period_start AND p.period_end WHERE c.present"
    )


def _function(name, body):
    return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} END $$ LANGUAGE plpgsql"


_OLD, _NEW, _BOTH = (
    "OLD TABLE AS old_rows",
    "NEW TABLE AS new_rows",
    "OLD TABLE AS old_rows NEW TABLE AS new_rows",
)


def _postgresql_ddl() -> dict:
    """{rollup table: the statements creating the triggers that keep it}."""
    return {
        "hok_daily": [
            _function(
                "hok_daily_attendance",
                f"IF TG_OP <> 'INSERT' THEN {_TAKE_ROWS}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_ADD_ROWS}; END IF; RETURN NULL;",
            ),
            "DROP TRIGGER IF EXISTS hok_daily_attendance ON attendance",  # the row trigger of before
            *_statement_trigger("hok_daily_insert", "INSERT", "attendance", "hok_daily_attendance", _NEW),
            *_statement_trigger("hok_daily_update", "UPDATE", "attendance", "hok_daily_attendance", _BOTH),
            *_statement_trigger("hok_daily_delete", "DELETE", "attendance", "hok_daily_attendance", _OLD),
            _function(
                "hok_daily_worker",
                f"{_MOVE_OUT.format(true='')}; {_MOVE_IN.format(true='')}; RETURN NULL;",
            ),
            "DROP TRIGGER IF EXISTS hok_daily_worker ON worker",
            "CREATE TRIGGER hok_daily_worker AFTER UPDATE OF category ON worker FOR EACH ROW "
            "WHEN (OLD.category IS DISTINCT FROM NEW.category) EXECUTE FUNCTION hok_daily_worker()",
        ],
        "paid_period": [
            _function("paid_period_payments", f"{_PAY_ROWS}; RETURN NULL;"),
            *_statement_trigger("paid_period_insert", "INSERT", "payment", "paid_period_payments", _NEW),
            _function("paid_period_payment", f"{_unpay('OLD.id', '-', _STANDING)}; RETURN OLD;"),
            "DROP TRIGGER IF EXISTS paid_period_delete ON payment",
            "CREATE TRIGGER paid_period_delete BEFORE DELETE ON payment FOR EACH ROW "
            "EXECUTE FUNCTION paid_period_payment()",
            _function(
                "paid_period_reversal",
                f"IF TG_OP = 'INSERT' THEN {_unpay('NEW.payment_id', '-')}; "
                f"ELSE {_unpay('OLD.payment_id', '+')}; END IF; RETURN NULL;",
            ),
            "DROP TRIGGER IF EXISTS paid_period_reversal ON payment_reversal",
            "CREATE TRIGGER paid_period_reversal AFTER INSERT OR DELETE ON payment_reversal FOR EACH ROW "
            "EXECUTE FUNCTION paid_period_reversal()",
        ],
        "overpaid_period": [
            _function(
                "overpaid_attendance",
                f"IF TG_OP <> 'INSERT' THEN {_reprice(_paid_on_rows('old_rows'))}; END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_reprice(_paid_on_rows('new_rows'))}; END IF; RETURN NULL;",
            ),
            *_statement_trigger(
                "overpaid_attendance_insert", "INSERT", "attendance", "overpaid_attendance", _NEW
            ),
            *_statement_trigger(
                "overpaid_attendance_update", "UPDATE", "attendance", "overpaid_attendance", _BOTH
            ),
            *_statement_trigger(
                "overpaid_attendance_delete", "DELETE", "attendance", "overpaid_attendance", _OLD
            ),
            _function(
                "overpaid_payment",
                "IF TG_OP = 'INSERT' THEN "
                + _reprice("SELECT worker_id, period_start, period_end FROM new_rows")
                + "; ELSE "
                + _reprice("SELECT worker_id, period_start, period_end FROM old_rows")
                + "; END IF; RETURN NULL;",
            ),
            *_statement_trigger("overpaid_payment_insert", "INSERT", "payment", "overpaid_payment", _NEW),
            *_statement_trigger("overpaid_payment_delete", "DELETE", "payment", "overpaid_payment", _OLD),
            _function(
                "overpaid_reversal",
                "IF TG_OP = 'INSERT' THEN "
                + _reprice(_period_of("ANY (SELECT payment_id FROM new_rows)"))
                + "; ELSE "
                + _reprice(_period_of("ANY (SELECT payment_id FROM old_rows)"))
                + "; END IF; RETURN NULL;",
            ),
            *_statement_trigger(
                "overpaid_reversal_insert", "INSERT", "payment_reversal", "overpaid_reversal", _NEW
            ),
            *_statement_trigger(
                "overpaid_reversal_delete", "DELETE", "payment_reversal", "overpaid_reversal", _OLD
            ),
        ],
    }


_PG_TRIGGERS = {
    "attendance": [
        "hok_daily_attendance",
        *[
            f"{rollup}_{n}"
            for rollup in ("hok_daily", "overpaid_attendance")
            for n in ("insert", "update", "delete")
        ],
    ],
    "worker": ["hok_daily_worker"],
    "payment": [
        "paid_period_insert",
        "paid_period_delete",
        "overpaid_payment_insert",
        "overpaid_payment_delete",
    ],
    "payment_reversal": ["paid_period_reversal", "overpaid_reversal_insert", "overpaid_reversal_delete"],
}
_PG_FUNCTIONS = (
    "hok_daily_attendance",
    "hok_daily_worker",
    "paid_period_payment",
    "paid_period_payments",
    "paid_period_reversal",
    "overpaid_attendance",
    "overpaid_payment",
    "overpaid_reversal",
)
DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            *[f"hok_daily_{n}" for n in ("insert", "update", "delete", "worker")],
            *[f"paid_period_{n}" for n in ("insert", "delete", "reversal", "unreversal")],
            *[f"overpaid_attendance_{n}" for n in ("insert", "update", "delete")],
            *[f"overpaid_{t}_{n}" for t in ("payment", "reversal") for n in ("insert", "delete")],
        )
    ],
    "postgresql": [
        *[
            f"DROP TRIGGER IF EXISTS {name} ON {table}"
            for table, names in _PG_TRIGGERS.items()
            for name in names
        ],
        *[f"DROP FUNCTION IF EXISTS {name}()" for name in _PG_FUNCTIONS],
    ],
}
ROLLUPS = ("hok_daily", "paid_period", "overpaid_period")


def install_triggers(connection):
    """Create the triggers that keep each rollup whose table exists (idempotent): used by create_all
    and by migrations/env.py once the migrations have run."""
    ddl = {"sqlite": _sqlite_ddl, "postgresql": _postgresql_ddl}[connection.dialect.name]()
    tables = set(inspect(connection).get_table_names())
    for rollup, statements in ddl.items():
        if rollup in tables:
            for statement in statements:
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


def recount_overpaid():
    """The select of overpaid_period's rows: per worker and pay period, the payments that stand
    minus the present HOK × the paid daily rate, where that is more than nothing."""
    from .figures import not_reversed

    hok = (
        db.select(func.count(Attendance.id))
        .where(
            Attendance.worker_id == Payment.worker_id,
            Attendance.present.is_(True),
            Attendance.work_date.between(Payment.period_start, Payment.period_end),
        )
        .scalar_subquery()
    )
    groups = (
        db.select(
            Payment.ksm_id,
            Payment.worker_id,
            Payment.period_start,
            Payment.period_end,
            (func.sum(Payment.amount) - func.max(Payment.daily_rate) * hok).label("amount"),
        )
        .where(not_reversed())
        .group_by(Payment.ksm_id, Payment.worker_id, Payment.period_start, Payment.period_end)
        .subquery()
    )
    return db.select(groups).where(groups.c.amount > 0)


_RECOUNTS = {
    HokDaily: (("ksm_id", "work_date", "category", "present"), recount),
    PaidPeriod: (("ksm_id", "period_start", "paid", "flagged"), recount_paid),
    OverpaidPeriod: (("ksm_id", "worker_id", "period_start", "period_end", "amount"), recount_overpaid),
}


def rebuild():
    """Recount the rollups from attendance and payments (after a bulk load, or to repair)."""
    for model, (columns, select) in _RECOUNTS.items():
        db.session.execute(db.delete(model))
        db.session.execute(db.insert(model).from_select(list(columns), select()))


@click.group("rollups")
def rollups_cli():
    """The rollups the dashboard reads."""


@rollups_cli.command("rebuild")
def rebuild_command():
    """Recount hok_daily, paid_period and overpaid_period from attendance and payments."""
    rebuild()
    db.session.commit()
    rows = ", ".join(
        f"{model.__tablename__} {db.session.scalar(db.select(func.count()).select_from(model))} baris"
        for model in _RECOUNTS
    )
    click.echo(f"Dihitung ulang: {rows}.")
