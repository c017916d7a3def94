"""KOTAKU-DFAT (issue 13): the TIPP register, the DFAT stages, water and sanitation surveys against
the 80 % target, and the problems and needs of each DFAT kelurahan."""

from flask import Blueprint

bp = Blueprint("dfat", __name__, url_prefix="/dfat")

from . import routes  # noqa: E402,F401
