import secrets
from datetime import UTC, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from .. import audit, db
from ..models import LoginAttempt, User, UserSession, utcnow
from . import bp, security
from .forms import LoginForm, PasswordForm
from .passwords import password_problem
from .throttle import Limits, retry_after

WRONG = "Nama pengguna atau kata sandi salah."
DISABLED = "Akun ini dinonaktifkan. Hubungi admin program."
LOCKED = "Terlalu banyak percobaan masuk yang gagal. Coba lagi setelah pukul {time} ({minutes})."
# Signed-in devices remember which accounts signed in on them: the owner's phone skips the per-account delay.
DEVICE_COOKIE = "kotaku_device"
DEVICE_NAMES = 10


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        error = _throttled(username)
        if error is None:
            error = _refusal(username, form.password.data)
            db.session.add(LoginAttempt(username=username, ip=_client_ip(), ok=error is None))
            if error is None:
                user = db.session.execute(db.select(User).where(User.username == username)).scalar_one()
                _start_session(user)
                db.session.commit()
                return _remember_device(redirect(_safe_next() or url_for("home.index")), username)
            audit.log("login_failed", "user", username=username[:50])  # admin sees it on /audit
            db.session.commit()
            security.warning("login_failed user=%s ip=%s", username[:50], _client_ip())
        form.password.errors.append(error)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
@login_required
def logout():
    """End this device's session; records waiting on the phone stay there."""
    db.session.execute(db.delete(UserSession).where(UserSession.token == current_user.session_token))
    db.session.commit()
    logout_user()
    session.pop("csrf_token", None)
    flash("Anda sudah keluar. Data yang belum terkirim tetap tersimpan di HP ini.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other signed-in device is signed out."""
    form = PasswordForm()
    if form.validate_on_submit() and _may_change_password(form):
        user = current_user.record
        user.set_password(form.new.data)
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
        audit.log("password_changed", "user", user.id)
        _start_session(user)
        db.session.commit()
        flash("Kata sandi sudah diganti. Perangkat lain sudah dikeluarkan.", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


@bp.get("/account")
@login_required
def account():
    """The user's account: the devices signed in, with a button to end each, and the password page."""
    rows = db.session.scalars(
        db.select(UserSession)
        .where(UserSession.user_id == current_user.id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()
    idle_hours = current_app.config["SESSION_IDLE_TIMEOUT"] // 3600
    return render_template(
        "auth/account.html", sessions=rows, this=current_user.session_token, idle_hours=idle_hours
    )


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id):
    """End one of the user's own sessions (a lost phone); ending this one signs out here."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    this = row.token == current_user.session_token
    db.session.delete(row)
    audit.log("session_ended", "user", current_user.id)
    db.session.commit()
    if this:
        logout_user()
        session.pop("csrf_token", None)
        return redirect(url_for("auth.login"))
    flash("Sesi itu sudah diakhiri.", "success")
    return redirect(url_for("auth.account"))


def _may_change_password(form):
    """Check the current password (throttled like a sign-in) and the new one; errors go on the form."""
    username = current_user.username
    error = _throttled(username)
    if error is None and not current_user.check_password(form.current.data):
        # A wrong current password counts like a wrong sign-in: the same limits hold it.
        db.session.add(LoginAttempt(username=username, ip=_client_ip(), ok=False))
        db.session.commit()
        security.warning("password_change_failed user=%s ip=%s", username, _client_ip())
        error = "Kata sandi sekarang salah."
    if error:
        form.current.errors.append(error)
        return False
    problem = password_problem(form.new.data, username, form.current.data)
    if problem:
        form.new.errors.append(problem)
        return False
    return True


def _limits():
    config = current_app.config
    return Limits(
        pair_failures=config["LOGIN_MAX_FAILURES_PER_USER"],
        account_failures=config["LOGIN_SOFT_FAILURES_PER_USER"],
        address_failures=config["LOGIN_MAX_FAILURES_PER_IP"],
        window=timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
    )


def _throttled(username):
    """The refusal message while this account may not try a password from this address, else None.

    A refused try is not stored as a failure, so it never extends the wait.
    """
    limits, now, ip = _limits(), utcnow(), _client_ip()

    def times(limit, since, *where):
        query = db.select(LoginAttempt.at).where(LoginAttempt.ok.is_(False), LoginAttempt.at > since, *where)
        return db.session.scalars(query.order_by(LoginAttempt.at.desc()).limit(limit)).all()

    short = now - limits.window
    pair = times(limits.pair_failures, short, LoginAttempt.username == username, LoginAttempt.ip == ip)
    address = times(limits.address_failures, short, LoginAttempt.ip == ip)
    # Enough of the account's failures to size its delay; the delay stops growing at max_delay.
    account = times(
        limits.account_failures + 64, now - limits.account_window, LoginAttempt.username == username
    )
    until = retry_after(pair, account, address, now, limits, known_device=username in _device_names())
    if until is None:
        return None
    security.warning("login_throttled user=%s ip=%s until=%s", username[:50], ip, until.isoformat())
    return _locked_message(until, now)


def _locked_message(until, now):
    """ "Coba lagi setelah pukul 14.05 WITA (dalam 3 menit)": the local time of the user's kota."""
    local = until.replace(tzinfo=UTC).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return LOCKED.format(time=local.strftime("%H.%M %Z"), minutes=f"dalam {minutes} menit")


def _device_names():
    """Usernames that signed in on this browser before (a signed cookie), newest last."""
    value = request.cookies.get(_device_cookie_name())
    if not value:
        return []
    try:
        names = URLSafeSerializer(current_app.secret_key, salt="kotaku-device").loads(value)
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_device(response, username):
    names = [n for n in _device_names() if n != username][-(DEVICE_NAMES - 1) :] + [username]
    value = URLSafeSerializer(current_app.secret_key, salt="kotaku-device").dumps(names)
    config = current_app.config
    response.set_cookie(
        _device_cookie_name(),
        value,
        max_age=365 * 24 * 3600,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


def _device_cookie_name():
    return ("__Host-" if current_app.config["SESSION_COOKIE_SECURE"] else "") + DEVICE_COOKIE


def _refusal(username, password):
    """Why this sign-in is refused (wrong password, disabled account), or None when it may go ahead."""
    user = db.session.execute(db.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        # Spend the time of a real check, so timing does not tell which usernames exist.
        User(password_hash=_dummy_hash()).check_password(password)
        return WRONG
    if not user.check_password(password):
        return WRONG
    if not user.active:
        return DISABLED
    return None


def _dummy_hash():
    if "kotaku_dummy_hash" not in current_app.extensions:
        user = User()
        user.set_password(secrets.token_hex(16))
        current_app.extensions["kotaku_dummy_hash"] = user.password_hash
    return current_app.extensions["kotaku_dummy_hash"]


def _start_session(user):
    session.pop("csrf_token", None)  # a form token from before sign-in is not valid after it
    token = secrets.token_urlsafe(32)
    agent = (request.user_agent.string or "")[:200]
    db.session.add(UserSession(token=token, user_id=user.id, last_seen_at=utcnow(), user_agent=agent))
    user.session_token = token
    session.permanent = True
    login_user(user)


def _client_ip():
    return request.remote_addr or "-"


def _safe_next():
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return None
