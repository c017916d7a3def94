"""Sign-in, sign-out and password change; one server-side session row per signed-in device."""

import logging
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from sqlalchemy import String, bindparam, cast, func

from .. import database, db, formatting, login
from ..database import READ_METHODS
from ..models import User, UserSession, user_kelurahan, utcnow
from ..remembered_pages import counters, seen_version
from .devices import device_label
from .signed_in import SIGNED_IN_COLUMNS, SignedIn

bp = Blueprint("auth", __name__)
# Security events (failed sign-ins, throttling, refused requests) for the operator: the gunicorn error log.
security = logging.getLogger("kotaku.security")
LAST_SEEN_STEP = timedelta(minutes=5)

login.login_view = "auth.login"
login.login_message = "Silakan masuk terlebih dahulu."
login.login_message_category = "info"
# "basic", as docs/budgets.md's security bar asks: a request from another address or browser than the
# sign-in's marks the session not fresh. "strong" would sign field staff out on every network switch
# (phones change IP all the time). The session itself is a server-side row (load_user) that sign-out,
# password change and deactivation end. Measured against no protection: within the noise (≈ 0.1 ms).
login.session_protection = "basic"


# One statement for the session row, the columns of its user that pages read, the ids of the user's
# kelurahan (the scope) and the counters of writes the user may see (remembered_pages.py): every page and
# every sync starts here (issue 14). Plain columns, not a User object: building one through the ORM
# cost more than the statement (`SignedIn` below). The ids come as one string: joining the kelurahan
# rows themselves cost more than the rest of the sign-in check.
# Built once: building a statement costs more than running it.
_user = User.__table__
SIGNED_IN = (
    db.select(
        *(_user.c[name] for name in SIGNED_IN_COLUMNS),
        UserSession.id,
        UserSession.created_at,
        UserSession.last_seen_at,
        db.select(func.aggregate_strings(cast(user_kelurahan.c.kelurahan_id, String), ","))
        .where(user_kelurahan.c.user_id == _user.c.id)
        .scalar_subquery(),
        seen_version(_user),
    )
    .select_from(_user)
    .join(UserSession, UserSession.user_id == _user.c.id)
    .where(UserSession.token == bindparam("token"))
)


@login.user_loader
def load_user(token):
    """The user of a live session token (logout, password change or deactivation ends it)."""
    row = database.rows(SIGNED_IN, {"token": token}).one_or_none()
    config = current_app.config
    now = utcnow()
    lifetime = timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"])
    idle = timedelta(seconds=config["SESSION_IDLE_TIMEOUT"])
    if row is None:
        return None
    *columns, session_id, created_at, last_seen_at, ids, pages_version = row
    user = SignedIn(*columns)
    if not user.active or created_at < now - lifetime:
        return None
    if (last_seen_at or created_at) < now - idle:
        security.warning("session_idle_expired user=%s", user.username)
        _write_apart(db.delete(UserSession).where(UserSession.id == session_id))
        return None
    if last_seen_at is None or last_seen_at < now - LAST_SEEN_STEP:
        # Written at most every few minutes: one write per request would crowd SQLite.
        _write_apart(db.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
    user.session_token = token
    user.pages_version = counters(pages_version)
    user.kelurahan_ids = frozenset(int(i) for i in ids.split(",")) if ids else frozenset()
    return user


def _write_apart(statement):
    """Run one write from the sign-in check without tripping over SQLite's locks (database.py).

    A GET reads in a deferred transaction: a write after that read could meet "database is locked" when
    another process wrote in between, so it runs in its own transaction, which waits for the lock. Any
    other method already holds the write lock from its first query (BEGIN IMMEDIATE): a second
    connection would wait for it, so the write runs in the request's own session.
    """
    if request.method in READ_METHODS:
        with db.engine.begin() as connection:
            connection.execute(statement)
    else:
        db.session.execute(statement)
        db.session.commit()


@bp.app_template_filter("device")
def device_filter(user_agent):
    """The device name shown on the Akun page."""
    return device_label(user_agent)


@bp.app_template_filter("waktu")
def waktu_filter(value):
    """`12 April 2021 14.05 WITA` (a stored UTC datetime, in the programme's timezone)."""
    local = formatting._local(value, current_app.config["TIMEZONE"])
    return f"{formatting.tanggal_pendek(local)} {local.strftime('%H.%M %Z')}"


@login.unauthorized_handler
def unauthorized():
    """JSON 401 under /api (an outbox must never follow a redirect to the login page)."""
    if request.path.startswith("/api/"):
        return jsonify(error="Silakan masuk terlebih dahulu.", status=401), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


from . import routes  # noqa: E402,F401
