"""Sign-in, sign-out and password change; one server-side session row per signed-in device."""

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, redirect, request, url_for

from .. import db, login
from ..models import User, UserSession, utcnow

bp = Blueprint("auth", __name__)

login.login_view = "auth.login"
login.login_message = "Silakan masuk terlebih dahulu."
login.login_message_category = "info"
# Phones change IP all the time; "strong" would sign field staff out on every network switch.
login.session_protection = "basic"


@login.user_loader
def load_user(token):
    """The user of a live session token (logout, password change or deactivation ends it)."""
    row = db.session.execute(db.select(UserSession).where(UserSession.token == token)).scalar_one_or_none()
    lifetime = timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])
    if row is None or not row.user.active or row.created_at < utcnow() - lifetime:
        return None
    user: User = row.user
    user.session_token = token
    return user


@login.unauthorized_handler
def unauthorized():
    """JSON 401 under /api (an outbox must never follow a redirect to the login page)."""
    if request.path.startswith("/api/"):
        return jsonify(error="Silakan masuk terlebih dahulu.", status=401), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


from . import routes  # noqa: E402,F401
