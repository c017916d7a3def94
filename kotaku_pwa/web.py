"""What every page shares: security headers, template helpers, error pages, JSON errors under /api."""

import base64
import hashlib
import logging
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_request_context, jsonify, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from . import db, formatting, roles, vocabulary
from .pwa.build import build_id

# style-src also names the hash of the stylesheet a first visit carries inline (`_stylesheet`).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'{style}; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
STYLESHEET = "css/app.css"
# Set by static/js/pwa.js once the service worker holds the app's files, the stylesheet among them.
INSTALLED_COOKIE = "kotaku_app"

# Pages the service worker must not keep on a phone: sign-in (a form token) and the admin screens.
NOT_KEPT_OFFLINE = {"auth", "org"}
# The camera (photos of receipts and work) and location for this origin only; the rest off.
PERMISSIONS_POLICY = (
    "camera=(self), geolocation=(self), microphone=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "hid=(), midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), "
    "browsing-topics=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"
REMEMBERED_URLS = 4096  # URLs a process keeps for the templates (a few per KSM and period it serves)
REMEMBERED_TOKENS = 4096  # signed CSRF tokens a process keeps (one per signed-in device it serves)
security = logging.getLogger("kotaku.security")

ERROR_MESSAGES = {
    400: "Permintaan tidak dapat diproses.",
    401: "Silakan masuk terlebih dahulu.",
    403: "Anda tidak berwenang membuka halaman ini.",
    404: "Halaman atau data tidak ditemukan.",
    405: "Cara permintaan ini tidak diizinkan.",
    413: "Data yang dikirim terlalu besar.",
    429: "Terlalu banyak percobaan. Coba lagi nanti.",
    500: "Terjadi kesalahan pada server. Data Anda di HP tetap aman; coba lagi nanti.",
}
CSRF_MESSAGE = "Sesi formulir sudah tidak berlaku. Muat ulang halaman lalu coba lagi."


def init_app(app):
    app.jinja_env.filters.update(
        rupiah=formatting.rupiah,
        # Dates in the programme's timezone (formatting.py stays free of Flask).
        tanggal=lambda value: formatting.tanggal(value, _timezone(app)),
        tanggal_pendek=lambda value: formatting.tanggal_pendek(value, _timezone(app)),
        mask_nik=formatting.mask_nik,
        mask_phone=formatting.mask_phone,
    )
    app.jinja_env.globals["build_id"] = lambda: build_id(app)
    app.jinja_env.globals["nav_items"] = roles.nav  # templates/_nav.html
    app.jinja_env.globals["bottom_nav"] = _remembered_nav(app)
    app.jinja_env.globals["vocabulary"] = vocabulary  # codes and their labels, for every template
    app.jinja_env.globals["url_for"] = _remembered_url_for(app)
    inline = _stylesheet(app)

    def first_visit_style():
        return None if INSTALLED_COOKIE in request.cookies else inline

    app.jinja_env.globals["first_visit_style"] = first_visit_style
    app.extensions["kotaku_csp"] = CSP.format(style=f" '{_sha256(inline)}'" if inline else "")  # exactly it
    csrf_token = _remembered_csrf_token(app) if app.config["WTF_CSRF_TIME_LIMIT"] is None else generate_csrf
    # The signed-in user itself, not Flask-Login's proxy: a page reads it dozens of times. And the
    # csrf_token() above in place of Flask-WTF's (its context processor would override a global).
    app.context_processor(
        lambda: {"current_user": current_user._get_current_object(), "csrf_token": csrf_token}
    )
    app.after_request(_headers)
    app.after_request(_log_forbidden_sync)
    _security_log_to_gunicorn()
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Exception, _unexpected_error)


def _remembered_url_for(app):
    """`url_for` for the templates, each URL built once per process: building one from the url map
    costs about 25 µs and a page builds 20 to 40 of them (issue 14). A URL depends only on its endpoint,
    its values and where the app is mounted (the static fingerprints are fixed per process too);
    relative endpoints ("." + name) and options ("_external", ...) are built each time, never kept. The
    values are part of the key in the order the template names them: a remembered URL is found with
    one dictionary lookup (the wage list asks for 40)."""
    built = {}  # (mount point, endpoint, *values) -> URL

    def url_for(endpoint, **values):
        if not has_request_context():
            return app.url_for(endpoint, **values)
        key = (request.script_root, endpoint, *values.items())
        try:
            return built[key]
        except KeyError:
            url = app.url_for(endpoint, **values)
        except TypeError:  # a value that cannot be a key
            return app.url_for(endpoint, **values)
        kept = not (endpoint.startswith(".") or any(name.startswith("_") for name in values))
        if kept and len(built) < REMEMBERED_URLS:
            built[key] = url
        return url

    return url_for


def _remembered_nav(app):
    """`bottom_nav(role)` for the base template: templates/_nav.html rendered once per role, page and
    mount point per process. It depends on nothing else, and rendering it for every page cost about
    3 % of the attendance day (issue 14)."""

    @lru_cache(maxsize=1024)  # five roles and signed-out, by the pages each opens
    def render(role, endpoint, blueprint, root):
        template = app.jinja_env.get_template("_nav.html")
        return Markup(template.render(role=role, endpoint=endpoint, blueprint=blueprint))

    def bottom_nav(role):
        return render(role, request.endpoint, request.blueprint, request.script_root)

    return bottom_nav


def _remembered_csrf_token(app):
    """`csrf_token()` for the templates (the sign-out form of every page), signed once per session
    token and process rather than on every page (itsdangerous, ≈ 0.1 ms, issue 14). Any signed form
    of the session's token is valid while there is no time limit (WTF_CSRF_TIME_LIMIT None: the
    server-side session row's lifetime bounds it instead)."""
    field = app.config["WTF_CSRF_FIELD_NAME"]
    signed = {}  # the session's raw token -> its signed form

    def csrf_token():
        raw = session.get(field)
        if raw not in signed:
            token = generate_csrf()  # makes the session's raw token if there is none yet
            if len(signed) >= REMEMBERED_TOKENS:
                signed.clear()
            signed[session[field]] = token
            return token
        return signed[raw]

    return csrf_token


def _stylesheet(app):
    """The stylesheet a page carries inline while the browser's service worker does not hold it yet
    (`first_visit_style()` in the base template; None once it does, and the page links to it).

    On a first visit a page would paint only after a second round trip, for the stylesheet (on slow
    3G: 0.4 s more, issue 14); carried inline it paints after the first. Once the service worker holds
    the app's files (`INSTALLED_COOKIE`), pages link to the stylesheet it serves and stay small. The
    CSP allows exactly this inline style, by its hash. None for an app made outside a checkout (the
    app factory's tests): its pages only link.
    """
    path = Path(app.static_folder) / STYLESHEET
    # The file as it is: escaping would change it, and its hash.
    return Markup(path.read_text(encoding="utf-8")) if path.is_file() else None


def _sha256(text):
    """A CSP source for an inline element of exactly this text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _timezone(app):
    return app.config.get("TIMEZONE", formatting.DEFAULT_TIMEZONE)


def wants_json():
    return request.path.startswith("/api/")


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.extensions["kotaku_csp"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if current_app.config["HSTS"]:
        response.headers["Strict-Transport-Security"] = HSTS
    if request.blueprint in NOT_KEPT_OFFLINE:
        response.headers["Cache-Control"] = "no-store"
    elif response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        # Personal data: never in a shared cache, and revalidated before the browser's own cache shows it.
        # Not no-store: the service worker keeps field pages for offline use (templates/pwa/sw.js).
        response.headers.setdefault("Cache-Control", "private, no-cache")
    if request.headers.get("HX-Request") or response.mimetype == "text/html":
        # The same URL may answer a full page or an htmx fragment: caches must keep them apart.
        response.vary.add("HX-Request")
    return response


def _log_forbidden_sync(response):
    """Records the sync refused as outside the user's role or scope: someone may be probing."""
    if request.endpoint == "sync.sync" and response.is_json and response.status_code == 200:
        results = (response.get_json(silent=True) or {}).get("results") or []
        forbidden = [r.get("uuid") for r in results if isinstance(r, dict) and r.get("status") == "forbidden"]
        if forbidden:
            security.warning(
                "sync_forbidden user=%s ip=%s count=%d uuids=%s",
                _who(),
                request.remote_addr,
                len(forbidden),
                ",".join(str(u)[:36] for u in forbidden[:10]),
            )
    return response


def _who():
    return current_user.username if current_user and current_user.is_authenticated else "-"


def _security_log_to_gunicorn():
    """Security events go where the operator reads: the gunicorn error log when served by gunicorn."""
    gunicorn = logging.getLogger("gunicorn.error")
    if gunicorn.handlers and not security.handlers:
        security.handlers = list(gunicorn.handlers)
        security.propagate = False
    if security.level == logging.NOTSET:
        security.setLevel(logging.INFO)


def _http_error(error):
    code = error.code or 500
    if code in (403, 404):
        # Guessed ids and URLs; the path only (a query string may carry personal data).
        security.warning(
            "http_%d user=%s ip=%s %s %s", code, _who(), request.remote_addr, request.method, request.path
        )
    message = ERROR_MESSAGES.get(code, error.description)
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def _csrf_error(error):
    security.warning(
        "csrf_failed user=%s ip=%s %s %s", _who(), request.remote_addr, request.method, request.path
    )
    if wants_json():
        return jsonify(error=CSRF_MESSAGE, status=400), 400
    return render_template("error.html", code=400, message=CSRF_MESSAGE), 400


def _unexpected_error(error):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return _http_error(error)
    logging.getLogger(__name__).exception("Unhandled error")
    if wants_json():
        return jsonify(error=ERROR_MESSAGES[500], status=500), 500
    return render_template("error.html", code=500, message=ERROR_MESSAGES[500]), 500
