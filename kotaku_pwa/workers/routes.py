from flask import render_template, request
from flask_login import login_required

from .. import db
from ..access import get_ksm, ksm_query, may
from ..models import Worker
from ..vocabulary import CATEGORY_LABELS, WAGE_CATEGORIES
from . import bp


@bp.get("/")
@login_required
def index():
    """Workers of the KSMs in the user's scope (or of one KSM), NIK and phone masked."""
    ksms = db.session.scalars(ksm_query()).all()
    chosen = get_ksm(request.args.get("ksm_id", type=int)) if request.args.get("ksm_id") else None
    shown = [chosen] if chosen else ksms
    workers = db.session.scalars(
        db.select(Worker).where(Worker.ksm_id.in_([k.id for k in shown])).order_by(Worker.name)
    ).all()
    by_ksm = {k.id: [w for w in workers if w.ksm_id == k.id] for k in shown}
    return render_template(
        "workers/index.html", ksms=ksms, shown=shown, chosen=chosen, by_ksm=by_ksm, labels=CATEGORY_LABELS
    )


@bp.get("/new")
@may("record_workers")
def new():
    """The registration form; it saves into the phone's outbox first (static/js/forms.js)."""
    ksms = [k for k in db.session.scalars(ksm_query()).all()]
    chosen = get_ksm(request.args.get("ksm_id", type=int), "worker") if request.args.get("ksm_id") else None
    return render_template(
        "workers/new.html", ksms=ksms, chosen=chosen, categories=WAGE_CATEGORIES, labels=CATEGORY_LABELS
    )
