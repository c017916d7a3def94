from pathlib import Path

from flask import current_app, jsonify, make_response, render_template, url_for

from . import bp
from .build import build_id

SHELL_STATIC = (
    "css/app.css",
    "js/outbox.js",
    "js/pwa.js",
    "js/forms.js",
    "js/attendance.js",
    "js/outbox-page.js",
    "js/payments.js",
    "js/meetings.js",
    "js/photo.js",
    "js/signature.js",
    "js/ledger.js",
    "js/print.js",
    "js/progress.js",
    "js/corrections.js",
    "css/print.css",
    "vendor/signature_pad-5.1.4/signature_pad.umd.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "vendor/idb-8.0.4/idb.umd.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest that makes the app installable on a phone."""
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }
    body = {
        "id": "/",
        "name": "KOTAKU Lapangan",
        "short_name": "KOTAKU",
        "description": "Pencatatan lapangan Padat Karya (CFW) dan KOTAKU-DFAT, juga tanpa sinyal.",
        "lang": "id",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            icon("icon-192.png", 192),
            icon("icon-512.png", 512),
            icon("maskable-512.png", 512, "maskable"),
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so its scope is the whole app; never cached by HTTP."""
    static_root = Path(current_app.static_folder)
    precache = [url_for("static", filename=f) for f in SHELL_STATIC if (static_root / f).exists()]
    precache += [url_for("pwa.offline"), url_for("pwa.outbox")]
    body = render_template("pwa/sw.js", build=build_id(current_app), precache=precache)
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker when a page was never opened online."""
    return render_template("pwa/offline.html", shell=True)


@bp.get("/outbox")
def outbox():
    """The signed-in user's records on this phone; listed by static/js/outbox-page.js from IndexedDB."""
    return render_template("pwa/outbox.html")
