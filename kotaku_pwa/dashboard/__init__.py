"""The supervisor's view of progress per kelurahan, and its CSV export."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from . import routes  # noqa: E402,F401
