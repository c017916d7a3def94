from flask import abort, current_app, render_template
from flask_login import current_user, login_required

from .. import db
from ..access import kelurahan_with_ksms, ksm_query, ksms_with_place
from ..dashboard.figures import kelurahan_figures
from ..models import Worker
from ..payments.locks import returned_periods
from ..payments.queries import flagged_payments
from ..remembered_pages import remembered
from ..roles import ROLES, allows, scope_of
from ..workdays import default_day, today
from ..workers.routes import outside_kota
from . import bp


@bp.get("/")
@login_required
@remembered
def index():
    """The signed-in user's home page: their area and what to do next."""
    day = today(current_app.config["TIMEZONE"])
    area = scope_of(current_user.role)
    # What each role's page walks comes with the rows: 3 statements with the sign-in's (issue 14).
    # A treasurer's page shows their KSM only; a facilitator's shows the KSMs of their kelurahan.
    kelurahan = [] if area == "ksm" else _kelurahan_with_ksms()
    if area == "kelurahan":
        ksms = [ksm for kel in kelurahan for ksm in kel.ksm]
    else:
        ksms = db.session.scalars(ksms_with_place()).all()
    # Reviewers see each kelurahan's stage and what needs attention (the dashboard's read model).
    overview = (
        kelurahan_figures([k.id for k in kelurahan], day) if allows(current_user.role, "review") else []
    )
    return render_template(
        f"home/{current_user.role}.html",
        kelurahan=kelurahan,
        overview=sorted(overview, key=lambda k: (k.kota, not k.attention, k.name)),
        ksms=ksms,
        work_day={k.id: default_day(k.start_date, k.end_date, day) for k in ksms},
        returned=returned_periods([k.id for k in ksms]),
        flagged=flagged_payments(ksm_query()) if current_user.role == "supervisor" else [],
        outside_kota=_outside_kota(ksms) if current_user.role == "supervisor" else 0,
    )


def _kelurahan_with_ksms():
    return db.session.scalars(kelurahan_with_ksms()).unique().all()


def _outside_kota(ksms) -> int:
    """Workers in these KSMs whose NIK was issued outside the kota: the supervisor checks them."""
    query = db.select(db.func.count(Worker.id)).where(Worker.ksm_id.in_([k.id for k in ksms]))
    return db.session.scalar(outside_kota(query))


@bp.get("/more")
@login_required
def more():
    """ "Lainnya": the role's menu entries that do not fit the bottom bar of a phone."""
    items = ROLES[current_user.role].more if current_user.role in ROLES else ()
    if not items:
        abort(403)
    return render_template("home/more.html", items=items)
