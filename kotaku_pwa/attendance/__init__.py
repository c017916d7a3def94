"""Daily attendance (HOK): one checklist of a KSM's workers per day, saved in one tap."""

from flask import Blueprint

bp = Blueprint("attendance", __name__, url_prefix="/attendance")

from . import routes  # noqa: E402,F401
