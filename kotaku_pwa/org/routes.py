from flask import render_template

from ..access import roles
from . import bp


@bp.get("/")
@roles("admin")
def index():
    """The admin menu."""
    return render_template("org/index.html")
