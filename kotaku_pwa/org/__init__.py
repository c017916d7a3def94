"""Admin screens: kota, kecamatan, kelurahan, BKM, KSM, users, wage rates, tranche plans."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/admin")

from . import routes  # noqa: E402,F401
