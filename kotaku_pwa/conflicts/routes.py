from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import db, htmx
from ..access import kelurahan_query, may, may_review
from ..bounds import id_arg, is_id
from ..models import Conflict, Kelurahan, utcnow
from ..payments.queries import paid_correction
from ..records.registry import KINDS
from . import bp
from .cards import Names, card
from .resolve import OUTSIDE, can_keep_incoming, describe, existing_row, resolve, reviewable

PER_PAGE = 50
# Age filters: (label, newer than, older than) in days.
AGES = {"1": ("≤ 1 hari", None, 1), "7": ("≤ 7 hari", None, 7), "lama": ("> 7 hari", 7, None)}


@bp.get("/")
@may("review")
def index():
    """Conflicts in the user's kota, newest first, filtered and paged so none is ever out of reach."""
    filters = _filters()
    in_scope = db.select(Conflict).where(
        Conflict.kelurahan_id.in_(kelurahan_query().with_only_columns(Kelurahan.id))
    )
    query = _filtered(in_scope, filters)
    total = _count(query)
    pages = max(1, -(-total // PER_PAGE))
    page = min(filters["page"], pages)
    conflicts = db.session.scalars(
        query.order_by(Conflict.received_at.desc(), Conflict.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "conflicts/index.html",
        conflicts=conflicts,
        status=filters["status"],
        filters=filters,
        total=total,
        open_total=_count(in_scope.where(Conflict.status == "open")),
        page=page,
        pages=pages,
        first=(page - 1) * PER_PAGE + 1,
        kelurahan=db.session.scalars(kelurahan_query().order_by(Kelurahan.name)).all(),
        kinds=sorted(KINDS),
        ages=AGES,
        _query=_query,
        **_helpers(conflicts),
    )


def _filters():
    """The list's filters from the query string; anything unknown means "all"."""
    args = request.args
    page = args.get("page", "1")
    return {
        "status": "all" if args.get("status") == "all" else "open",
        "kelurahan_id": id_arg("kelurahan_id"),
        "kind": args.get("kind") if args.get("kind") in KINDS else None,
        "age": args.get("age") if args.get("age") in AGES else None,
        "page": int(page) if is_id(page) else 1,
    }


def _query(filters) -> dict:
    """The filters as query-string values for links (the defaults left out)."""
    values = {"status": "all" if filters["status"] == "all" else None, "page": None}
    values |= {name: filters[name] for name in ("kelurahan_id", "kind", "age")}
    return values


def _filtered(query, filters):
    if filters["status"] == "open":
        query = query.where(Conflict.status == "open")
    if filters["kelurahan_id"]:
        query = query.where(Conflict.kelurahan_id == filters["kelurahan_id"])
    if filters["kind"]:
        query = query.where(Conflict.kind == filters["kind"])
    if filters["age"]:
        _, newer, older = AGES[filters["age"]]
        now = utcnow()
        if newer is not None:
            query = query.where(Conflict.received_at < now - timedelta(days=newer))
        if older is not None:
            query = query.where(Conflict.received_at >= now - timedelta(days=older))
    return query


def _count(query) -> int:
    return db.session.scalar(query.with_only_columns(db.func.count(Conflict.id)).order_by(None))


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
        return render_template("conflicts/_item.html", c=conflict, problem=problem, **_helpers([conflict]))
    flash(problem or "Konflik diselesaikan.", "error" if problem else "success")
    return redirect(url_for("conflicts.index"))


def _helpers(conflicts):
    """The cards of these conflicts in words: names for ids loaded once for the page."""
    stored = {c.id: _stored(c) for c in conflicts}
    names = Names().load([c.data for c in conflicts] + list(stored.values()))
    zone = current_app.config["TIMEZONE"]
    cards = {c.id: card(c, stored[c.id], names, zone, _paid(c, stored[c.id])) for c in conflicts}
    return {"card": cards.get, "can_keep_incoming": can_keep_incoming}


def _stored(conflict) -> dict:
    row = existing_row(conflict)
    return describe(row) if row is None or reviewable(row, current_user) else OUTSIDE


def _paid(conflict, stored):
    """The payments an open attendance correction would contradict, and what accepting it means."""
    if conflict.kind != "attendance" or not conflict.replaces or conflict.status != "open":
        return None
    if "worker_id" not in stored or not isinstance(conflict.data.get("present"), bool):
        return None
    return paid_correction(
        stored["worker_id"], stored["work_date"], stored["present"], conflict.data["present"]
    )
