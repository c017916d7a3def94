"""Pages remembered per process until what they show may have changed (issue 14).

A field phone asks for the same pages again and again: after sign-in it fetches every page of its scope
for offline use (pwa/pages.py), and its service worker asks again for each page it shows. A supervisor's
dashboard sums a whole kota for every supervisor who opens it. Rendering such a page again when nothing
changed was most of its cost, so a `@remembered` view keeps the page it rendered, for the same
signed-in device, URL, kind of request and day, until a write changes data the page may show.

How a process knows, without any message between processes: the database counts the writes.
`page_version` holds one counter per kota, and counter 0 for everything.

- Writing: a transaction that wrote anything but the sign-in bookkeeping (`NOT_SHOWN`) adds one to the
  counters of the writer's kotas, just before its COMMIT and inside it, so the count and the data commit
  together. The writer's kotas are those of their scope (the kota, the kelurahan or the KSM of
  roles.py): every write is checked against that scope (scope.can_write). A writer whose scope is
  everything, or who is no signed-in user (the command line, a migration), counts on counter 0.
- Reading: every request's sign-in statement (auth.SIGNED_IN) also reads the counters its
  user may see: counter 0 and those of the user's kotas, all of them for a scope of everything
  (`seen_version`). A page is remembered under those counters. A write another process commits
  changes them for everyone who may see it, and their next request renders the page afresh.

Never remembered: any method but GET, an answer that is not a page rendered to text (a redirect, an
error, a file), a request while the session carries a flashed message. `PAGE_MEMORY` pages are kept per
process, the least recently used dropped first; 0 turns the memory off.
"""

import re
import threading
from collections import OrderedDict
from functools import wraps

from flask import current_app, g, has_request_context, request, session
from flask.globals import request_ctx
from flask_login import current_user
from sqlalchemy import String, bindparam, cast, event, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from . import db
from .models import Kecamatan, Kelurahan, Ksm, PageVersion, user_kelurahan
from .roles import ROLES
from .web import INSTALLED_COOKIE
from .workdays import today

EVERYTHING = 0  # the counter of writes whose kota is not known, read by every page
# Tables written to on every sign-in and every few minutes of use; no remembered page shows them.
NOT_SHOWN = {"user_session", "login_attempt", "page_version"}
EVERYWHERE = [name for name, role in ROLES.items() if role.scope == "all"]
# The table a statement writes to (no match: a read, or a WITH, which may write too).
_WRITE = re.compile(r'\s*(?:(?:INSERT(?:\s+OR\s+\w+)?|REPLACE)\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
# What changes no data: reads, transaction control, settings; and changes of the schema.
_NO_DATA = re.compile(
    r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|SHOW|SET|RESET|EXPLAIN|ANALYZE|VACUUM)\b", re.I
)
_SCHEMA = re.compile(r"\s*(?:CREATE|ALTER|DROP)\b", re.I)
_WITH = re.compile(r"\s*WITH\b", re.I)
_WRITE_WITHIN = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.I)

_version = PageVersion.__table__
_kelurahan, _kecamatan, _ksm = Kelurahan.__table__, Kecamatan.__table__, Ksm.__table__


def kotas_of(user_id, ksm_id):
    """The kotas of a user's kelurahan and KSM (SQL expressions: columns of an outer statement, or
    parameters); the user's own kota, for a supervisor, is added by the caller."""
    assigned = select(user_kelurahan.c.kelurahan_id).where(user_kelurahan.c.user_id == user_id)
    of_ksm = select(_ksm.c.kelurahan_id).where(_ksm.c.id == ksm_id)
    kelurahan = or_(
        _kelurahan.c.id.in_(assigned.correlate_except(user_kelurahan)),
        _kelurahan.c.id.in_(of_ksm.correlate_except(_ksm)),
    )
    return (
        select(_kecamatan.c.kota_id)
        .join(_kelurahan, _kelurahan.c.kecamatan_id == _kecamatan.c.id)
        .where(kelurahan)
    )


def seen_version(user):
    """The counters of writes that a user (the `user` table of an outer statement) may see, as one
    string of "<kota id>:<count>" (in no set order): a scalar subquery for the sign-in statement.
    Not their sum: moved to another kota, a user could see a sum equal to the one before."""
    # Constants written into the statement: a parameter expanded on every run costs more than the read.
    seen = or_(
        _version.c.kota_id == literal_column(str(EVERYTHING)),
        _version.c.kota_id == user.c.kota_id,
        *(user.c.role == literal_column(f"'{role}'") for role in EVERYWHERE),
        _version.c.kota_id.in_(kotas_of(user.c.id, user.c.ksm_id)),
    )
    counter = cast(_version.c.kota_id, String) + literal_column("':'") + cast(_version.c.n, String)
    return select(func.aggregate_strings(counter, ",")).where(seen).scalar_subquery()


def counters(seen):
    """The version a page is remembered under: the user's counters as `seen_version` read them."""
    return frozenset(seen.split(",")) if seen else frozenset()


def init_app(app):
    """Count writes on the app's engine; `PAGE_MEMORY` pages remembered per process, each also as
    Flask-Compress compressed it (its cache: the same pages in each encoding a browser asked for)."""
    compressed = CompressedPages(app.config["PAGE_MEMORY"])
    app.extensions["remembered_pages"] = Pages(app.config["PAGE_MEMORY"], compressed)
    app.config["COMPRESS_CACHE_BACKEND"] = lambda: compressed  # read by compress.init_app, after this
    app.config["COMPRESS_CACHE_KEY"] = lambda request: g.get("remembered_page")
    with app.app_context():
        engine = db.engine
    if not event.contains(engine, "commit", _count_writes):
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", _count_writes)
        event.listen(engine, "rollback", _forget_write)


def _note_write(connection, _cursor, statement, *_):
    if _SCHEMA.match(statement):
        connection.info.pop("page_version", None)  # the table may be gone, or made: look again
    elif "wrote" not in connection.info and _changes_pages(statement):
        connection.info["wrote"] = True


def _changes_pages(statement) -> bool:
    """True for a statement that may change what a page shows: a write to any table but `NOT_SHOWN`,
    and any statement not known to change no data. Changes of the schema are not counted (a
    migration's changes of data are)."""
    if _NO_DATA.match(statement) or _SCHEMA.match(statement):
        return False
    table = _WRITE.match(statement)
    if table is not None:
        return table.group(1).lower() not in NOT_SHOWN
    if _WITH.match(statement):
        return _WRITE_WITHIN.search(statement) is not None
    return True  # TRUNCATE, COPY, a procedure's call: counted


def _forget_write(connection):
    connection.info.pop("wrote", None)


def _count_writes(connection):
    """Just before COMMIT: one more on the counters of the writer's kotas (module docstring)."""
    if not connection.info.pop("wrote", False):
        return
    if not connection.info.get("page_version"):
        # A migration may write before the revision that makes the table: nothing can be remembered yet.
        if not connection.dialect.has_table(connection, _version.name):
            return
        connection.info["page_version"] = True
    kotas = _writer_kotas(connection)
    connection.execute(_COUNT[connection.dialect.name == "postgresql"], [{"kota": k} for k in sorted(kotas)])


def _writer_kotas(connection):
    user = g.get("_login_user") if has_request_context() else None
    if user is None or not user.is_authenticated or user.role not in ROLES or user.role in EVERYWHERE:
        return {EVERYTHING}
    kotas = set(connection.execute(_WRITER_KOTAS, {"user": user.id, "ksm": user.ksm_id}).scalars())
    if user.kota_id is not None:
        kotas.add(user.kota_id)
    return kotas or {EVERYTHING}


# Built once: building a statement costs more than running it (issue 14).
_WRITER_KOTAS = kotas_of(bindparam("user"), bindparam("ksm"))
_COUNT = {  # one more on a kota's counter, by dialect (True: PostgreSQL)
    postgres: dialect.insert(_version)
    .values(kota_id=bindparam("kota"), n=1)
    .on_conflict_do_update(index_elements=["kota_id"], set_={"n": _version.c.n + 1})
    for postgres, dialect in ((False, sqlite), (True, postgresql))
}


class Pages:
    """The remembered pages of one process: key -> page text, least recently used dropped first."""

    def __init__(self, size, compressed=None):
        self.size = size
        self.compressed = compressed  # the same pages as Flask-Compress made them
        self._pages = OrderedDict()
        self._lock = threading.Lock()  # a gthread worker serves several requests at once

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def set(self, key, page):
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self):
        with self._lock:
            self._pages.clear()
        if self.compressed is not None:
            self.compressed.clear()


class CompressedPages(Pages):
    """Flask-Compress's cache: "<encoding>;<key>" -> the remembered page's bytes. Flask-Compress asks
    for every answer it compresses; an answer that is no remembered page comes as "<encoding>;None"."""

    def get(self, key):
        return None if key.endswith(";None") else super().get(key)

    def set(self, key, page):
        if not key.endswith(";None"):
            super().set(key, page)


def remembered(view):
    """Keep the page `view` renders (under its sign-in check) until a write changes what it may show."""

    @wraps(view)
    def page(**values):
        pages = current_app.extensions["remembered_pages"]
        key = _key() if pages.size else None
        if key is None:
            return view(**values)
        found = pages.get(key)
        if found is None:
            found = view(**values)
            if not isinstance(found, str) or request_ctx.flashes:  # a message flashed by the view itself
                return found
            pages.set(key, found)
        g.remembered_page = key  # Flask-Compress keeps what it makes of the page under it too
        return found

    return page


def _key():
    """What a remembered page depends on besides the data (None: render it, keep nothing)."""
    if request.method != "GET" or "_flashes" in session:
        return None
    user = current_user._get_current_object()
    if user.pages_version is None:  # signed in within this request: no version was read
        return None
    headers = request.headers
    return (
        user.session_token,
        user.pages_version,
        session.get(current_app.config["WTF_CSRF_FIELD_NAME"]),
        request.script_root,
        request.full_path,
        headers.get("HX-Request"),
        headers.get("HX-Target"),
        headers.get("HX-Boosted"),
        INSTALLED_COOKIE in request.cookies,
        today(current_app.config["TIMEZONE"]),
    )
