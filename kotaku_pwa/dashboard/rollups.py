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

import re

import click
from sqlalchemy import case, event, func, inspect, text

from .. import db
from ..models import Attendance, HokDaily, HokPeriod, KsmWorkers, OverpaidPeriod, PaidPeriod, Payment, Worker
from ..vocabulary import PERIOD_DAYS

# Filled by the triggers below, never written directly.
ROLLUP_TABLES = ("hok_daily", "paid_period", "overpaid_period", "hok_period", "ksm_workers")

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


# A payment without proof: no signature and no photo. Their columns are the image keys (storage.py);
# before the images left the database (migration 8d3c1f5a2b64) they were the images themselves, and a
# database taken back below it gets triggers naming those (`_proof`).
PROOF = ("signature_key", "photo_key")
BEFORE_THE_IMAGE_STORE = ("signature", "photo")


def _flag(p, proof):
    return f"CASE WHEN {p}.{proof[0]} IS NULL AND {p}.{proof[1]} IS NULL THEN 1 ELSE 0 END"


def _pay(proof):
    return (
        "INSERT INTO paid_period (ksm_id, period_start, paid, flagged) "
        f"VALUES (NEW.ksm_id, NEW.period_start, NEW.amount, {_flag('NEW', proof)}) "
        "ON CONFLICT (ksm_id, period_start) DO UPDATE SET paid = paid_period.paid + excluded.paid, "
        "flagged = paid_period.flagged + excluded.flagged"
    )


def _unpay(payment_id, sign, proof, extra=""):
    """Take a payment out of (sign '-') or back into (sign '+') its period's totals."""
    one = "(SELECT {} FROM payment WHERE id = " + payment_id + ")"
    return (
        f"UPDATE paid_period SET paid = paid {sign} {one.format('amount')}, "
        f"flagged = flagged {sign} {one.format(_flag('payment', proof))} "
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
    """The statements recomputing overpaid_period for the (worker_id, period_start, period_end) rows
    `groups` selects."""
    return (
        f"DELETE FROM overpaid_period WHERE (worker_id, period_start, period_end) IN ({groups})",
        _OVERPAID.format(groups=groups),
    )


def _sqlite_reprice(groups):
    return "; ".join(_reprice(groups))


def _planned(*statements):
    """PL/pgSQL running each statement with a plan made as it runs (EXECUTE): a trigger function
    keeps the plans of its first call, made while the tables were small, and at millions of rows
    such a plan loops over one table inside the other."""
    return " ".join(f"EXECUTE $sql${statement}$sql$;" for statement in statements)


def _paid_on(row):
    """The pay periods paid to the worker of an attendance row (OLD or NEW) that hold its day."""
    return (
        f"SELECT worker_id, period_start, period_end FROM payment WHERE worker_id = {row}.worker_id "
        f"AND period_start <= {row}.work_date AND period_end >= {row}.work_date"
    )


def _period_of(payment_id):
    return f"SELECT worker_id, period_start, period_end FROM payment WHERE id = {payment_id}"


_LENGTH = (
    "CASE k.pay_period " + " ".join(f"WHEN '{p}' THEN {n}" for p, n in PERIOD_DAYS.items()) + " ELSE 7 END"
)
_PERIOD_START = {
    # The first day of the pay period of KSM `k` that holds `day` (as figures.py numbers periods).
    "sqlite": "date(k.start_date, printf('%+d days', "
    "CAST(julianday({day}) - julianday(k.start_date) AS INTEGER) / {length} * {length}))",
    "postgresql": "k.start_date + ({day} - k.start_date) / {length} * {length}",
}


def _period_start(dialect, day):
    return _PERIOD_START[dialect].format(day=day, length=_LENGTH)


_INTO_PERIODS = "INSERT INTO hok_period (ksm_id, period_start, category, present) "
_ONTO_PERIODS = (
    " ON CONFLICT (ksm_id, period_start, category) "
    "DO UPDATE SET present = hok_period.present + excluded.present"
)


def _add_period(row):
    """SQLite: add a hok_daily row (NEW) to its KSM pay period's total."""
    start = _period_start("sqlite", f"{row}.work_date")
    return (
        f"{_INTO_PERIODS}SELECT {row}.ksm_id, {start}, {row}.category, {row}.present "
        f"FROM ksm k WHERE k.id = {row}.ksm_id{_ONTO_PERIODS}"
    )


def _take_period(row):
    """SQLite: take a hok_daily row (OLD) out of its KSM pay period's total."""
    start = _period_start("sqlite", f"{row}.work_date")
    return (
        f"UPDATE hok_period SET present = present - {row}.present WHERE ksm_id = {row}.ksm_id "
        f"AND category = {row}.category "
        f"AND period_start = (SELECT {start} FROM ksm k WHERE k.id = {row}.ksm_id)"
    )


def _add_periods(rows):
    """PostgreSQL: add the rows of a transition table of hok_daily to their pay periods, grouped."""
    start = _period_start("postgresql", "r.work_date")
    return (
        f"{_INTO_PERIODS}SELECT r.ksm_id, {start}, r.category, sum(r.present) "
        f"FROM {rows} r JOIN ksm k ON k.id = r.ksm_id GROUP BY r.ksm_id, {start}, r.category{_ONTO_PERIODS}"
    )


def _take_periods(rows):
    """PostgreSQL: take them out."""
    start = _period_start("postgresql", "r.work_date")
    return (
        "UPDATE hok_period p SET present = p.present - d.present FROM ("
        f"SELECT r.ksm_id, {start} AS period_start, r.category, sum(r.present) AS present "
        f"FROM {rows} r JOIN ksm k ON k.id = r.ksm_id GROUP BY r.ksm_id, {start}, r.category) d "
        "WHERE p.ksm_id = d.ksm_id AND p.period_start = d.period_start AND p.category = d.category"
    )


def recount_periods(dialect, where="true"):
    """The INSERT of hok_period's rows of the KSMs `where` (on k) selects, counted from hok_daily."""
    start = _period_start(dialect, "h.work_date")
    return (
        f"{_INTO_PERIODS}SELECT h.ksm_id, {start}, h.category, sum(h.present) "
        f"FROM hok_daily h JOIN ksm k ON k.id = h.ksm_id WHERE {where} GROUP BY h.ksm_id, {start}, h.category"
    )


def _reperiod(dialect):
    """A KSM's pay periods changed (first day, length): its rows counted again."""
    return f"DELETE FROM hok_period WHERE ksm_id = NEW.id; {recount_periods(dialect, 'k.id = NEW.id')}"


_WOMAN = "CASE WHEN {w}.gender = 'P' THEN 1 ELSE 0 END"


def _add_workers(rows):
    """Count new workers in their KSM: `rows` a row (NEW) or a transition table."""
    if rows == "NEW":
        values = f"VALUES (NEW.ksm_id, 1, {_WOMAN.format(w='NEW')})"
    else:
        values = f"SELECT w.ksm_id, count(*), sum({_WOMAN.format(w='w')}) FROM {rows} w GROUP BY w.ksm_id"
    return (
        f"INSERT INTO ksm_workers (ksm_id, workers, women) {values} ON CONFLICT (ksm_id) DO UPDATE "
        "SET workers = ksm_workers.workers + excluded.workers, women = ksm_workers.women + excluded.women"
    )


def _take_workers(rows):
    """Take workers out of their KSM's counts: `rows` a row (OLD) or a transition table."""
    if rows == "OLD":
        return (
            f"UPDATE ksm_workers SET workers = workers - 1, women = women - {_WOMAN.format(w='OLD')} "
            "WHERE ksm_id = OLD.ksm_id"
        )
    return (
        "UPDATE ksm_workers k SET workers = k.workers - c.workers, women = k.women - c.women FROM ("
        f"SELECT w.ksm_id, count(*) AS workers, sum({_WOMAN.format(w='w')}) AS women FROM {rows} w "
        "GROUP BY w.ksm_id) c WHERE k.ksm_id = c.ksm_id"
    )


def _sqlite_ddl(proof) -> dict:
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
            f"{create} paid_period_insert AFTER INSERT ON payment BEGIN {_pay(proof)}; END",
            f"{create} paid_period_delete BEFORE DELETE ON payment "
            f"BEGIN {_unpay('OLD.id', '-', proof, _STANDING)}; END",
            f"{create} paid_period_reversal AFTER INSERT ON payment_reversal "
            f"BEGIN {_unpay('NEW.payment_id', '-', proof)}; END",
            f"{create} paid_period_unreversal AFTER DELETE ON payment_reversal "
            f"BEGIN {_unpay('OLD.payment_id', '+', proof)}; END",
        ],
        "hok_period": [
            f"{create} hok_period_insert AFTER INSERT ON hok_daily BEGIN {_add_period('NEW')}; END",
            f"{create} hok_period_update AFTER UPDATE ON hok_daily "
            f"BEGIN {_take_period('OLD')}; {_add_period('NEW')}; END",
            f"{create} hok_period_delete AFTER DELETE ON hok_daily BEGIN {_take_period('OLD')}; END",
            f"{create} hok_period_ksm AFTER UPDATE OF start_date, pay_period ON ksm "
            f"BEGIN {_reperiod('sqlite')}; END",
        ],
        "ksm_workers": [
            f"{create} ksm_workers_insert AFTER INSERT ON worker BEGIN {_add_workers('NEW')}; END",
            f"{create} ksm_workers_update AFTER UPDATE OF ksm_id, gender ON worker "
            f"BEGIN {_take_workers('OLD')}; {_add_workers('NEW')}; END",
            f"{create} ksm_workers_delete AFTER DELETE ON worker BEGIN {_take_workers('OLD')}; END",
        ],
        "overpaid_period": [
            f"{create} overpaid_attendance_insert AFTER INSERT ON attendance WHEN NEW.present "
            f"BEGIN {_sqlite_reprice(_paid_on('NEW'))}; END",
            f"{create} overpaid_attendance_update AFTER UPDATE OF worker_id, work_date, present "
            f"ON attendance WHEN OLD.present OR NEW.present "
            f"BEGIN {_sqlite_reprice(_paid_on('OLD'))}; {_sqlite_reprice(_paid_on('NEW'))}; END",
            f"{create} overpaid_attendance_delete AFTER DELETE ON attendance WHEN OLD.present "
            f"BEGIN {_sqlite_reprice(_paid_on('OLD'))}; END",
            f"{create} overpaid_payment_insert AFTER INSERT ON payment "
            "BEGIN " + _sqlite_reprice("SELECT NEW.worker_id, NEW.period_start, NEW.period_end") + "; END",
            f"{create} overpaid_payment_delete AFTER DELETE ON payment "
            "BEGIN " + _sqlite_reprice("SELECT OLD.worker_id, OLD.period_start, OLD.period_end") + "; END",
            f"{create} overpaid_reversal_insert AFTER INSERT ON payment_reversal "
            f"BEGIN {_sqlite_reprice(_period_of('NEW.payment_id'))}; END",
            f"{create} overpaid_reversal_delete AFTER DELETE ON payment_reversal "
            f"BEGIN {_sqlite_reprice(_period_of('OLD.payment_id'))}; END",
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


def _pay_rows(proof):
    return (
        "INSERT INTO paid_period (ksm_id, period_start, paid, flagged) "
        f"SELECT n.ksm_id, n.period_start, sum(n.amount), sum({_flag('n', proof)}) FROM new_rows n "
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


def _postgresql_ddl(proof) -> dict:
    """{rollup table: the statements creating the triggers that keep it}."""
    return {
        "hok_daily": [
            _function(
                "hok_daily_attendance",
                f"IF TG_OP <> 'INSERT' THEN {_planned(_TAKE_ROWS)} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_planned(_ADD_ROWS)} END IF; RETURN NULL;",
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
            _function("paid_period_payments", f"{_planned(_pay_rows(proof))} RETURN NULL;"),
            *_statement_trigger("paid_period_insert", "INSERT", "payment", "paid_period_payments", _NEW),
            _function("paid_period_payment", f"{_unpay('OLD.id', '-', proof, _STANDING)}; RETURN OLD;"),
            "DROP TRIGGER IF EXISTS paid_period_delete ON payment",
            "CREATE TRIGGER paid_period_delete BEFORE DELETE ON payment FOR EACH ROW "
            "EXECUTE FUNCTION paid_period_payment()",
            _function(
                "paid_period_reversal",
                f"IF TG_OP = 'INSERT' THEN {_unpay('NEW.payment_id', '-', proof)}; "
                f"ELSE {_unpay('OLD.payment_id', '+', proof)}; END IF; RETURN NULL;",
            ),
            "DROP TRIGGER IF EXISTS paid_period_reversal ON payment_reversal",
            "CREATE TRIGGER paid_period_reversal AFTER INSERT OR DELETE ON payment_reversal FOR EACH ROW "
            "EXECUTE FUNCTION paid_period_reversal()",
        ],
        "hok_period": [
            _function(
                "hok_period_rows",
                f"IF TG_OP <> 'INSERT' THEN {_planned(_take_periods('old_rows'))} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_planned(_add_periods('new_rows'))} END IF; RETURN NULL;",
            ),
            *_statement_trigger("hok_period_insert", "INSERT", "hok_daily", "hok_period_rows", _NEW),
            *_statement_trigger("hok_period_update", "UPDATE", "hok_daily", "hok_period_rows", _BOTH),
            *_statement_trigger("hok_period_delete", "DELETE", "hok_daily", "hok_period_rows", _OLD),
            _function("hok_period_ksm", f"{_reperiod('postgresql')}; RETURN NULL;"),
            "DROP TRIGGER IF EXISTS hok_period_ksm ON ksm",
            "CREATE TRIGGER hok_period_ksm AFTER UPDATE OF start_date, pay_period ON ksm FOR EACH ROW "
            "EXECUTE FUNCTION hok_period_ksm()",
        ],
        "ksm_workers": [
            _function(
                "ksm_workers_rows",
                f"IF TG_OP <> 'INSERT' THEN {_planned(_take_workers('old_rows'))} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_planned(_add_workers('new_rows'))} END IF; RETURN NULL;",
            ),
            *_statement_trigger("ksm_workers_insert", "INSERT", "worker", "ksm_workers_rows", _NEW),
            *_statement_trigger("ksm_workers_update", "UPDATE", "worker", "ksm_workers_rows", _BOTH),
            *_statement_trigger("ksm_workers_delete", "DELETE", "worker", "ksm_workers_rows", _OLD),
        ],
        "overpaid_period": [
            _function(
                "overpaid_attendance",
                f"IF TG_OP <> 'INSERT' THEN {_planned(*_reprice(_paid_on_rows('old_rows')))} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_planned(*_reprice(_paid_on_rows('new_rows')))} END IF; "
                "RETURN NULL;",
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
                + _planned(*_reprice("SELECT worker_id, period_start, period_end FROM new_rows"))
                + " ELSE "
                + _planned(*_reprice("SELECT worker_id, period_start, period_end FROM old_rows"))
                + " END IF; RETURN NULL;",
            ),
            *_statement_trigger("overpaid_payment_insert", "INSERT", "payment", "overpaid_payment", _NEW),
            *_statement_trigger("overpaid_payment_delete", "DELETE", "payment", "overpaid_payment", _OLD),
            _function(
                "overpaid_reversal",
                "IF TG_OP = 'INSERT' THEN "
                + _planned(*_reprice(_period_of("ANY (SELECT payment_id FROM new_rows)")))
                + " ELSE "
                + _planned(*_reprice(_period_of("ANY (SELECT payment_id FROM old_rows)")))
                + " END IF; RETURN NULL;",
            ),
            *_statement_trigger(
                "overpaid_reversal_insert", "INSERT", "payment_reversal", "overpaid_reversal", _NEW
            ),
            *_statement_trigger(
                "overpaid_reversal_delete", "DELETE", "payment_reversal", "overpaid_reversal", _OLD
            ),
        ],
    }


_DDL = {"sqlite": _sqlite_ddl, "postgresql": _postgresql_ddl}
# Triggers of earlier versions, gone from the DDL above (PostgreSQL's row trigger on attendance).
_FORMER = {"sqlite": [], "postgresql": ["DROP TRIGGER IF EXISTS hok_daily_attendance ON attendance"]}


def _drops(dialect):
    """DROP statements for every trigger and function the DDL creates."""
    statements = list(_FORMER[dialect])
    for ddl in _DDL[dialect](PROOF).values():
        for statement in ddl:
            trigger = re.match(r"CREATE TRIGGER (?:IF NOT EXISTS )?(\w+) .*? ON (\w+)", statement)
            function = re.match(r"CREATE OR REPLACE FUNCTION (\w+)\(", statement)
            if trigger:
                name, table = trigger.groups()
                statements.append(
                    f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect != "sqlite" else "")
                )
            elif function:
                statements.append(f"DROP FUNCTION IF EXISTS {function.group(1)}()")
    # Triggers go before the functions they call.
    return sorted(statements, key=lambda statement: "FUNCTION" in statement)


def install_triggers(connection):
    """Create the triggers that keep each rollup whose table exists (idempotent): used by create_all
    and by migrations/env.py once the migrations have run."""
    tables = set(inspect(connection).get_table_names())
    if not tables & set(ROLLUP_TABLES):
        return  # a database taken back below the rollups
    for rollup, statements in _DDL[connection.dialect.name](_proof(connection)).items():
        if rollup in tables:
            for statement in statements:
                connection.execute(text(statement))


def _proof(connection):
    """The payment columns that tell whether it carries proof, in the schema the database has now."""
    columns = {c["name"] for c in inspect(connection).get_columns("payment")}
    return PROOF if PROOF[0] in columns else BEFORE_THE_IMAGE_STORE


def drop_triggers(connection):
    for statement in _drops(connection.dialect.name):
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


def recount_workers():
    """The select of ksm_workers' rows: the workers of each KSM, and how many are women."""
    return db.select(
        Worker.ksm_id, func.count(), func.sum(case((Worker.gender == "P", 1), else_=0))
    ).group_by(Worker.ksm_id)


_RECOUNTS = {
    HokDaily: (("ksm_id", "work_date", "category", "present"), recount),
    PaidPeriod: (("ksm_id", "period_start", "paid", "flagged"), recount_paid),
    OverpaidPeriod: (("ksm_id", "worker_id", "period_start", "period_end", "amount"), recount_overpaid),
    KsmWorkers: (("ksm_id", "workers", "women"), recount_workers),
}


def rebuild():
    """Recount the rollups from attendance and payments (after a bulk load, or to repair);
    hok_period last, from hok_daily."""
    for model, (columns, select) in _RECOUNTS.items():
        db.session.execute(db.delete(model))
        db.session.execute(db.insert(model).from_select(list(columns), select()))
    db.session.execute(db.delete(HokPeriod))
    db.session.execute(text(recount_periods(db.session.get_bind().dialect.name)))


@click.group("rollups")
def rollups_cli():
    """The rollups the dashboard reads."""


@rollups_cli.command("rebuild")
def rebuild_command():
    """Recount the rollups from attendance, payments and workers."""
    rebuild()
    db.session.commit()
    rows = ", ".join(
        f"{model.__tablename__} {db.session.scalar(db.select(func.count()).select_from(model))} baris"
        for model in (*_RECOUNTS, HokPeriod)
    )
    click.echo(f"Dihitung ulang: {rows}.")
