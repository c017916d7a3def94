"""What every page shares: security headers, template helpers, error pages, JSON errors under /api."""

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import db, formatting, roles, vocabulary
from .pwa.build import build_id

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)

# Pages the service worker must not keep on a phone: sign-in (a form token) and the admin screens.
NOT_KEPT_OFFLINE = {"auth", "org"}

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
        waktu=lambda value: formatting.waktu(value, _timezone(app)),
        mask_nik=formatting.mask_nik,
        mask_phone=formatting.mask_phone,
    )
    app.jinja_env.globals["build_id"] = lambda: build_id(app)
    app.jinja_env.globals["nav_items"] = roles.nav  # templates/_nav.html
    app.jinja_env.globals["vocabulary"] = vocabulary  # codes and their labels, for every template
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Exception, _unexpected_error)


def _timezone(app):
    return app.config.get("TIMEZONE", formatting.DEFAULT_TIMEZONE)


def wants_json():
    return request.path.startswith("/api/")


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.blueprint in NOT_KEPT_OFFLINE:
        response.headers["Cache-Control"] = "no-store"
    if request.headers.get("HX-Request") or response.mimetype == "text/html":
        # The same URL may answer a full page or an htmx fragment: caches must keep them apart.
        response.vary.add("HX-Request")
    return response


def _http_error(error):
    code = error.code or 500
    message = ERROR_MESSAGES.get(code, error.description)
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def _csrf_error(error):
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
