"""Sign-in, sign-out and password change; one server-side session row per signed-in device."""

import logging
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from sqlalchemy.orm import joinedload

from .. import db, formatting, login
from ..database import READ_METHODS
from ..models import User, UserSession, utcnow
from .devices import device_label

bp = Blueprint("auth", __name__)
# Security events (failed sign-ins, throttling, refused requests) for the operator: the gunicorn error log.
security = logging.getLogger("kotaku.security")
LAST_SEEN_STEP = timedelta(minutes=5)

login.login_view = "auth.login"
login.login_message = "Silakan masuk terlebih dahulu."
login.login_message_category = "info"
# Phones change IP all the time; "strong" would sign field staff out on every network switch.
login.session_protection = "basic"


@login.user_loader
def load_user(token):
    """The user of a live session token (logout, password change or deactivation ends it)."""
    # One statement for the session row, its user and the user's kelurahan (the scope): every page
    # starts here, and three round trips here were most of a page's queries (issue 14).
    row = (
        db.session.execute(
            db.select(UserSession)
            .where(UserSession.token == token)
            .options(joinedload(UserSession.user).joinedload(User.kelurahan))
        )
        .unique()
        .scalar_one_or_none()
    )
    config = current_app.config
    now = utcnow()
    lifetime = timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"])
    idle = timedelta(seconds=config["SESSION_IDLE_TIMEOUT"])
    if row is None or not row.user.active or row.created_at < now - lifetime:
        return None
    if (row.last_seen_at or row.created_at) < now - idle:
        security.warning("session_idle_expired user=%s", row.user.username)
        _write_apart(db.delete(UserSession).where(UserSession.id == row.id))
        return None
    if row.last_seen_at is None or row.last_seen_at < now - LAST_SEEN_STEP:
        # Written at most every few minutes: one write per request would crowd SQLite.
        _write_apart(db.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    user: User = row.user
    user.session_token = token
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
