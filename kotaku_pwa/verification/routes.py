from flask import current_app, render_template

from .. import db
from ..access import ksm_query, may
from ..payments.locks import period_states
from ..wages import pay_periods
from ..workdays import today
from . import bp


@bp.get("/")
@may("verify")
def index():
    """Every KSM in scope with each pay period's state: verified, returned, or waiting."""
    ksms = db.session.scalars(ksm_query()).all()
    states = period_states([k.id for k in ksms])
    rows = [(ksm, [(start, end, states.get((ksm.id, start))) for start, end in _begun(ksm)]) for ksm in ksms]
    return render_template("verification/index.html", rows=rows)


def _begun(ksm):
    day = today(current_app.config["TIMEZONE"])
    return [p for p in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period) if p[0] <= day]
