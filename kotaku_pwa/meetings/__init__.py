"""Meetings and health-protocol checks: sosialisasi, coaching KSM, MP2K, TIPP... with their named
attendance lists (printable daftar hadir), photos, and the stage each kelurahan has reached."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from . import routes  # noqa: E402,F401
