"""Several threads of one process writing to one SQLite file (a gthread worker of gunicorn.conf.py)
all get their turn: none gives up with "database is locked" (kotaku_pwa/database.py; the chaos bench,
docs/budgets.md "Reliability", saw some 50 requests a run fail so before the threads queued)."""

import fcntl
import gc
import os
import threading
import time

import pytest
from sqlalchemy import text

from kotaku_pwa import create_app, database, db

from .conftest import TEST_CONFIG

THREADS, ROUNDS, HOLD = 8, 2, 0.1  # each turn holds the lock 0.1 s: 1.6 s of turns queue at once


@pytest.fixture
def sqlite_app(tmp_path, monkeypatch):
    # SQLite's own wait, cut from 10 s to 0.5 s so the queue of turns (up to 0.7 s) outlasts it.
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 500)
    monkeypatch.setattr(database, "WRITER_WAIT", 5)  # a turn never handed back fails in 5 s, not 30
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/writers.db"})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE turn (thread INTEGER, round INTEGER)")
        yield app
        db.engine.dispose()


def test_threads_of_one_process_queue_for_the_write_lock(sqlite_app):
    failures = []

    def write(number):
        with sqlite_app.app_context():
            for round_ in range(ROUNDS):
                try:
                    with db.engine.begin() as connection:  # BEGIN IMMEDIATE: no request, may write
                        connection.execute(
                            text("INSERT INTO turn VALUES (:t, :r)"), {"t": number, "r": round_}
                        )
                        time.sleep(HOLD)  # a sync batch's work inside its transaction
                except Exception as error:  # "database is locked" once SQLite's wait runs out
                    failures.append(str(error).splitlines()[0])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT COUNT(*) FROM turn")) == THREADS * ROUNDS


def test_a_connection_dropped_mid_transaction_gives_the_turn_back(sqlite_app):
    connection = db.engine.connect()
    connection.begin()
    connection.execute(text("INSERT INTO turn VALUES (1, 1)"))
    del connection  # lost, as by a thread that died: no COMMIT or ROLLBACK event
    gc.collect()  # the pool takes the connection back: its checkin hands the turn on
    with db.engine.begin() as other:
        other.execute(text("INSERT INTO turn VALUES (2, 1)"))
        assert other.scalar(text("SELECT COUNT(*) FROM turn")) == 1


def test_a_writer_waits_for_the_other_processes_turn(sqlite_app, tmp_path):
    """Between processes the turn is an flock of `<database>-writer`: while another process holds it
    (here: another open file of it, as another process has), a writer waits, then writes at once."""
    other = os.open(f"{tmp_path}/writers.db-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    written = threading.Event()

    def write():
        with sqlite_app.app_context(), db.engine.begin() as connection:
            connection.execute(text("INSERT INTO turn VALUES (1, 1)"))
        written.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not written.wait(0.5)  # SQLite's own lock is free: only the turn holds it back
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    assert written.wait(5)
    writer.join()
