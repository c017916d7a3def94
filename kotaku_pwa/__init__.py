"""KOTAKU Lapangan: the field app of the KOTAKU programme's Cash For Work and DFAT activities."""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_compress import Compress
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


class Base(DeclarativeBase):
    # Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
compress = Compress()


def create_app(test_config=None):
    """Build the app: configuration, extensions, blueprints, error pages."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(_default_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # Only now, so that a key given in the environment or the test config writes no file.
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(app.config["SQLALCHEMY_DATABASE_URI"])
    from . import database

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = database.engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    )

    if app.config["PROXY_FIX"]:
        # Behind a reverse proxy: the client's address (for the login limits) and scheme come from it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from .cookie_session import RememberedCookieSession

    app.session_interface = RememberedCookieSession()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    login.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    from . import remembered_pages

    remembered_pages.init_app(app)  # before Flask-Compress: it keeps the compressed pages too
    compress.init_app(app)

    from . import bounds, storage, web
    from .pwa import static_files

    bounds.init_app(app)  # before the blueprints: their `<int:...>` routes use the bounded converter
    database.init_app(app)
    storage.init_app(app)
    web.init_app(app)
    static_files.init_app(app)  # after Flask-Compress: its static answers are already compressed

    from . import (
        attendance,
        audit,
        auth,
        conflicts,
        dashboard,
        dfat,
        home,
        meetings,
        org,
        payments,
        progress,
        pwa,
        sync,
        verification,
        workers,
    )

    for module in (
        auth,
        home,
        org,
        workers,
        attendance,
        payments,
        meetings,
        progress,
        dfat,
        conflicts,
        verification,
        audit,
        dashboard,
        sync,
        pwa,
    ):
        app.register_blueprint(module.bp)

    from . import cli

    cli.init_app(app)
    return app


def _default_config(instance_path):
    https = os.environ.get("KOTAKU_HTTPS") == "1"
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),  # else instance/secret_key (create_app)
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path}/kotaku.db",
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        # Over HTTPS the __Host- prefix binds the cookie to this host, secure, path / (no sub-domain sets it).
        "SESSION_COOKIE_NAME": "__Host-session" if https else "session",
        "HSTS": https,
        # A field rotation: a facilitator may stay in the kelurahan for weeks.
        "PERMANENT_SESSION_LIFETIME": 30 * 24 * 3600,
        # The cookie is signed again only when the session changes: the server-side session row keeps
        # the lifetime and the idle limit (auth.load_user), so re-signing it on every page only cost CPU
        # and bytes (issue 14).
        "SESSION_REFRESH_EACH_REQUEST": False,
        # Signed out after this long without a request: a phone works offline for days between syncs,
        # so hours would sign facilitators out mid-rotation; a lost phone is ended from the Akun page.
        "SESSION_IDLE_TIMEOUT": int(float(os.environ.get("KOTAKU_IDLE_HOURS") or 72) * 3600),
        # The outbox fetches a fresh token at send time; forms left open stay valid for the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_METHOD": "scrypt",
        "TIMEZONE": "Asia/Makassar",
        # Days a work date may lie before the day the phone recorded it; None = no limit.
        "BACKDATE_WINDOW_DAYS": _int_or_none(os.environ.get("KOTAKU_BACKDATE_WINDOW_DAYS")),
        "SYNC_MAX_RECORDS": 500,
        # Pages each server process remembers until a write changes what they show (remembered_pages.py):
        # about 20-60 KB each as text, and as much again compressed; 0 remembers none.
        "PAGE_MEMORY": int(os.environ.get("KOTAKU_PAGE_MEMORY") or 512),
        # Photos and signatures (storage.py): a folder, or s3://bucket/prefix for an S3-compatible store
        # whose address is S3_ENDPOINT_URL (none for AWS itself); its keys come from AWS_* variables.
        "IMAGE_STORE": os.environ.get("KOTAKU_IMAGE_STORE") or os.path.join(instance_path, "images"),
        "S3_ENDPOINT_URL": os.environ.get("KOTAKU_S3_ENDPOINT") or None,
        # Sign-in throttling (auth/throttle.py): hard per (account, address), soft per account, high per
        # address (carrier-grade NAT puts many phones behind one address).
        "LOGIN_MAX_FAILURES_PER_USER": 5,
        "LOGIN_SOFT_FAILURES_PER_USER": 10,
        "LOGIN_MAX_FAILURES_PER_IP": 100,
        "LOGIN_LOCK_MINUTES": 15,
        "BUILD_SALT": os.environ.get("KOTAKU_BUILD_SALT", ""),
        "PROXY_FIX": os.environ.get("KOTAKU_PROXY") == "1",
        # Chosen by `python -m bench compression` on the field pages' HTML (figures of 2 December 2026).
        # Chromium sends zstd and Flask-Compress prefers it: level 3, about 50 µs a page. Browsers
        # without zstd (Safari, older Android WebViews) get brotli 2: the same bytes as zstd 3 for a
        # third of brotli 5's CPU (≈ 95 against 285 µs, 15 % more bytes: about 7 ms on slow 3G);
        # levels from 9 up cost 100× more. gzip 4 is within 1 % of 6 and cheaper. Static files are
        # compressed once, at the highest level (pwa/static_files.py).
        "COMPRESS_ZSTD_LEVEL": 3,
        "COMPRESS_BR_LEVEL": 2,
        "COMPRESS_LEVEL": 4,
        # Flask-Compress would also answer If-None-Match / If-Modified-Since on what it compresses: pages
        # carry neither validator, and static files answer them before it (pwa/static_files.py). Off, it
        # skips that work on every page (issue 14).
        "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "text/csv",
        ],
    }


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


def _instance_secret(instance_path):
    """A per-installation key kept in instance/, so sessions survive a restart of `make run`."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _sqlalchemy_url(url):
    """Use psycopg 3 for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
