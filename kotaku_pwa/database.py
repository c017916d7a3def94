"""SQLite settings that make several server processes, each running several requests at once, safe
writers.

With SQLite's default deferred BEGIN, two processes that both read then write fail with "database is
locked": neither can upgrade its lock. Every transaction that may write therefore starts with
BEGIN IMMEDIATE, which waits (busy_timeout) for the single write lock up front. Reads (GET, HEAD)
keep a plain BEGIN, so they never queue behind writers in WAL mode.

SQLite's wait is a sleep-and-retry whose sleeps grow to 100 ms: a writer that has waited a while
retries far less often than one that just arrived, so with the threads of each gunicorn worker
(gunicorn.conf.py) all waiting, an early writer can lose every round and give up after busy_timeout
(the chaos bench saw it, docs/budgets.md "Reliability"). So a writer first waits for its turn, held
from BEGIN IMMEDIATE to COMMIT or ROLLBACK: the threads of one process queue on a lock of their own
(`WRITERS`), then the processes on an flock of a file beside the database (`<database>-writer`),
whose waiter the kernel wakes as soon as the lock is free. SQLite's own wait is left for writers
that take no turn (another program). With the gunicorn workers' connections spread evenly
(gunicorn.conf.py `reuse_port`), writers of two processes met in SQLite's wait and the slowest 20-record
syncs at 50 clients waited half as long again (bench sync_latency).
"""

import fcntl
import json
import os
import threading
from functools import wraps

from flask import has_request_context, request
from sqlalchemy import String, cast, event, func, literal, make_url, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import BindParameter

from . import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
BUSY_TIMEOUT_MS = 10_000  # SQLite's wait for another process's writer
WRITER_WAIT = 30  # seconds a writer queues behind this process's others: the outbox waits 30 s for a reply
WRITERS = {}  # database file -> this process's turn to write to it (a gthread worker runs several requests)
TURN_FILES = {}  # (process id, database file) -> the open file whose flock is the processes' turn


def engine_options(url, given):
    """SQLAlchemy's engine options for the database at `url`: one pooled connection per thread of a
    gunicorn worker (KOTAKU_THREADS, gunicorn.conf.py), unless `given` says otherwise. With SQLAlchemy's
    default of 5, a worker's requests beyond the fifth each opened a connection and closed it after
    (on SQLite: the PRAGMAs below and a read of the schema again). An in-memory SQLite database keeps
    its single connection."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite" and _in_memory(url.database):
        return given
    return {"pool_size": int(os.environ.get("KOTAKU_THREADS", "8")), **given}


def init_app(app):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "commit", _end_write)
        event.listen(engine, "rollback", _end_write)
        event.listen(engine, "checkin", _end_write_at_checkin)  # a connection dropped mid-transaction


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own BEGIN is always deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # wage payments: survive a power cut, not only a crash
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection):
    # BEGIN goes straight to the driver: through SQLAlchemy's execute it cost more than a page's query.
    driver = connection.connection.driver_connection
    if has_request_context() and request.method in READ_METHODS:
        driver.execute("BEGIN")
        return
    path = connection.engine.url.database
    writer = WRITERS.setdefault(path, threading.Lock())
    if not writer.acquire(timeout=WRITER_WAIT):
        raise TimeoutError(f"no turn to write to SQLite within {WRITER_WAIT} s")
    connection.info["writer"] = writer
    try:
        turn = _turn_file(path)
        if turn is not None:
            fcntl.flock(turn, fcntl.LOCK_EX)  # the other processes' writers: at most one holds it
            connection.info["turn"] = turn
        driver.execute("BEGIN IMMEDIATE")
    except BaseException:
        _end_write(connection)
        raise


def _turn_file(path):
    """This process's open file `<database>-writer` (None for an in-memory database). Opened per
    process: a forked worker shares its parent's open files, and with them their flock."""
    if _in_memory(path):
        return None
    key = (os.getpid(), path)
    if key not in TURN_FILES:
        TURN_FILES[key] = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    return TURN_FILES[key]


def _in_memory(database) -> bool:
    """True for the database part of an in-memory SQLite URL (`sqlite://`, `sqlite:///:memory:`)."""
    return database in (None, "", ":memory:")


def _end_write(connection):
    """The next writer may begin (the event comes just before COMMIT or ROLLBACK: it then waits
    those few milliseconds in SQLite's own busy wait)."""
    turn = connection.info.pop("turn", None)
    if turn is not None:
        fcntl.flock(turn, fcntl.LOCK_UN)
    writer = connection.info.pop("writer", None)
    if writer is not None:
        writer.release()


def _end_write_at_checkin(_dbapi_connection, record):
    _end_write(record)


def rows(statement, params=None):
    """The plain rows of a Core statement (columns, not entities), run on the session's connection and
    transaction: the ORM's `Session.execute` costs about 0.1 ms a statement more even when it builds
    no objects, more than the statement itself on SQLite (issue 14)."""
    return db.session.connection().execute(statement, params)


def one_of(column, values):
    """`column IN values` with the values sent as one JSON parameter: a sync batch looks up hundreds
    of uuids at once, the national dashboard hundreds of kelurahan ids, and binding each as its own
    parameter costs more than the query itself."""
    return column.in_(listed(values, column.type))


def listed(values, type_):
    """A SELECT of the values (of type `type_`) sent as one JSON parameter; a query asking several
    tables about the same values (`column.in_(listed(...))` in each) builds and sends it once.
    `values` may also be a `bindparam`, given `as_json_list(values)` when the query runs: a query
    built once and run many times."""
    if not isinstance(values, BindParameter):
        values = literal(as_json_list(values), String)
    if db.engine.dialect.name == "postgresql":
        source = func.jsonb_array_elements_text(cast(values, JSONB)).table_valued("value")
        return select(cast(source.c.value, type_))  # the elements come as text
    source = func.json_each(values).table_valued("value")
    return select(source.c.value)


def per_dialect(build):
    """The statement `build()` returns, built on first use once per database dialect (`listed`
    differs between them) and kept: building a statement cost more than running it (issue 14)."""
    built = {}

    @wraps(build)
    def statement():
        dialect = db.engine.dialect.name
        if dialect not in built:
            built[dialect] = build()
        return built[dialect]

    return statement


def as_json_list(values) -> str:
    """The values as the JSON parameter of `listed`."""
    return json.dumps(sorted(set(values)))
