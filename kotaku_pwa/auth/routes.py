import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, db
from ..models import LoginAttempt, User, UserSession, utcnow
from . import bp
from .forms import LoginForm, PasswordForm

WRONG = "Nama pengguna atau kata sandi salah."
DISABLED = "Akun ini dinonaktifkan. Hubungi admin program."
LOCKED = "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit."


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        error = _refusal(username, form.password.data)
        db.session.add(LoginAttempt(username=username, ip=_client_ip(), ok=error is None))
        if error is None:
            _start_session(db.session.execute(db.select(User).where(User.username == username)).scalar_one())
            db.session.commit()
            return redirect(_safe_next() or url_for("home.index"))
        audit.log("login_failed", "user", username=username[:50])  # admin sees it on /audit
        db.session.commit()
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
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("Kata sandi sekarang salah.")
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
            audit.log("password_changed", "user", user.id)
            _start_session(user)
            db.session.commit()
            flash("Kata sandi sudah diganti. Perangkat lain sudah dikeluarkan.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


def _refusal(username, password):
    """Why this sign-in is refused, or None when it may go ahead."""
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    failures = (
        db.select(db.func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, LoginAttempt.ok.is_(False))
    )
    by_user = db.session.scalar(failures.where(LoginAttempt.username == username))
    by_ip = db.session.scalar(failures.where(LoginAttempt.ip == _client_ip()))
    if by_user >= config["LOGIN_MAX_FAILURES_PER_USER"] or by_ip >= config["LOGIN_MAX_FAILURES_PER_IP"]:
        return LOCKED.format(minutes=config["LOGIN_LOCK_MINUTES"])
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
    db.session.add(UserSession(token=token, user_id=user.id))
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
