"""Supervisors verify or return a KSM's pay period; the field sees a returned period and its reason."""

from flask import Blueprint

bp = Blueprint("verification", __name__, url_prefix="/verification")

from . import routes  # noqa: E402,F401
