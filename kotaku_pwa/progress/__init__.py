"""Physical progress and the LPJ: work items, progress reports with located photos, the evidence
gallery, the LPJ pack, the weekly report and the public information board (papan informasi)."""

from flask import Blueprint

bp = Blueprint("progress", __name__)

from . import routes  # noqa: E402,F401
