"""SQLite settings that make several server processes safe writers.

With SQLite's default deferred BEGIN, two processes that both read then write fail with "database is
locked": neither can upgrade its lock. Every transaction that may write therefore starts with
BEGIN IMMEDIATE, which waits (busy_timeout) for the single write lock up front. Reads (GET, HEAD)
keep a plain BEGIN, so they never queue behind writers in WAL mode.
"""

import json

from flask import has_request_context, request
from sqlalchemy import String, cast, event, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from . import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app):
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own BEGIN is always deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # wage payments: survive a power cut, not only a crash
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection):
    read_only = has_request_context() and request.method in READ_METHODS
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def one_of(column, values):
    """`column IN values` with the values sent as one JSON parameter: a sync batch looks up hundreds
    of uuids at once, the national dashboard hundreds of kelurahan ids, and binding each as its own
    parameter costs more than the query itself."""
    values = literal(json.dumps(sorted(set(values))), String)
    if db.engine.dialect.name == "postgresql":
        source = func.jsonb_array_elements_text(cast(values, JSONB)).table_valued("value")
        return column.in_(select(cast(source.c.value, column.type)))  # the elements come as text
    source = func.json_each(values).table_valued("value")
    return column.in_(select(source.c.value))
