"""The installable shell: manifest, service worker, offline page and the phone's outbox page."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from . import routes, session  # noqa: E402,F401
