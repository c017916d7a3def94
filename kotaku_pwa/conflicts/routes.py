from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db, htmx
from ..access import kelurahan_query, may, may_review
from ..models import Conflict, Kelurahan
from . import bp
from .resolve import OUTSIDE, can_keep_incoming, describe, existing_row, resolve, reviewable


@bp.get("/")
@may("review")
def index():
    """Conflicts in the user's kota (open first), each with both versions."""
    status = request.args.get("status", "open")
    kelurahan_ids = kelurahan_query().with_only_columns(Kelurahan.id)
    query = db.select(Conflict).where(Conflict.kelurahan_id.in_(kelurahan_ids))
    if status == "open":
        query = query.where(Conflict.status == "open")
    conflicts = db.session.scalars(query.order_by(Conflict.received_at.desc()).limit(200)).all()
    return render_template("conflicts/index.html", conflicts=conflicts, status=status, **_helpers())


@bp.post("/<int:conflict_id>/resolve")
@may("review")
def resolve_one(conflict_id):
    """Keep one of the two versions; the choice is audited."""
    conflict = db.session.get(Conflict, conflict_id)
    if conflict is None or not may_review(conflict.kelurahan):
        abort(404)
    problem = resolve(conflict, request.form.get("keep"), current_user, request.form.get("reason"))
    if problem:
        db.session.rollback()
    else:
        db.session.commit()
    if htmx:
        return render_template("conflicts/_item.html", c=conflict, problem=problem, **_helpers())
    flash(problem or "Konflik diselesaikan.", "error" if problem else "success")
    return redirect(url_for("conflicts.index"))


def _helpers():
    def stored(conflict):
        row = existing_row(conflict)
        return describe(row) if row is None or reviewable(row, current_user) else OUTSIDE

    return {"stored": stored, "can_keep_incoming": can_keep_incoming}
