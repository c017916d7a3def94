"""Records that clashed with stored ones, for supervisors to resolve by keeping one (audited)."""

from flask import Blueprint

bp = Blueprint("conflicts", __name__, url_prefix="/conflicts")

from . import routes  # noqa: E402,F401
