"""The HOK rollup (hok_daily): present days per KSM, day and wage category, kept by the database.

At a national season attendance holds millions of rows; counting them for every dashboard view
would take seconds. Triggers on `attendance` (insert, update, delete) and on `worker` (a corrected
category) adjust hok_daily in the same transaction as the write, whatever path writes it: the sync
engine's multi-row INSERT, a supervisor keeping an incoming record, `flask generate`, a correction.
`flask rollups rebuild` recounts it from attendance; tests/test_dashboard_rollups.py checks that the
kept figures equal a recount.
"""

import click
from sqlalchemy import event, func, text

from .. import db
from ..models import Attendance, HokDaily, Worker

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
    ]


DROP = {
    "sqlite": [
        f"DROP TRIGGER IF EXISTS hok_daily_{name}" for name in ("insert", "update", "delete", "worker")
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS hok_daily_attendance ON attendance",
        "DROP TRIGGER IF EXISTS hok_daily_worker ON worker",
        "DROP FUNCTION IF EXISTS hok_daily_attendance()",
        "DROP FUNCTION IF EXISTS hok_daily_worker()",
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


def rebuild():
    """Recount hok_daily from attendance (after a bulk load without triggers, or to repair)."""
    db.session.execute(db.delete(HokDaily))
    db.session.execute(
        db.insert(HokDaily).from_select(["ksm_id", "work_date", "category", "present"], recount())
    )


@click.group("rollups")
def rollups_cli():
    """The rollups the dashboard reads."""


@rollups_cli.command("rebuild")
def rebuild_command():
    """Recount hok_daily from attendance."""
    rebuild()
    db.session.commit()
    rows = db.session.scalar(db.select(func.count()).select_from(HokDaily))
    click.echo(f"hok_daily dihitung ulang: {rows} baris.")
