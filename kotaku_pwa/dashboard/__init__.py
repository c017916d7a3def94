"""The supervisor's view of progress per kelurahan, and its CSV export."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

# rollups: the triggers that keep hok_daily, installed by create_all and the migration.
from . import rollups, routes  # noqa: E402,F401
