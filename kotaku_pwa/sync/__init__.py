"""The JSON API the phone's outbox talks to: /api/sync, /api/reference, /api/csrf, /api/ping."""

from flask import Blueprint

bp = Blueprint("sync", __name__)

from . import routes  # noqa: E402,F401
