from flask import current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager, joinedload

from .. import db
from ..access import kelurahan_query, ksm_query
from ..models import Kelurahan, Ksm
from ..workdays import default_day, today
from . import bp


@bp.get("/")
@login_required
def index():
    """The signed-in user's home page: their area and what to do next."""
    day = today(current_app.config["TIMEZONE"])
    # What the templates walk comes with the rows: 3 statements with the sign-in's (issue 14).
    ksms = db.session.scalars(
        ksm_query().options(contains_eager(Ksm.kelurahan).contains_eager(Kelurahan.kecamatan))
    ).all()
    kelurahan = (
        db.session.scalars(
            kelurahan_query().options(contains_eager(Kelurahan.kecamatan), joinedload(Kelurahan.ksm))
        )
        .unique()
        .all()
    )
    return render_template(
        f"home/{current_user.role}.html",
        kelurahan=kelurahan,
        ksms=ksms,
        work_day={k.id: default_day(k.start_date, k.end_date, day) for k in ksms},
    )
