from datetime import UTC

from flask import current_app, jsonify, request
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text

from .. import csrf, db
from ..access import kelurahan_query, ksm_query
from ..formatting import waktu
from ..models import Conflict, Worker
from ..payments.queries import ksm_rates
from ..pwa.pages import offline_pages
from ..records.fields import is_uuid
from . import bp
from .engine import store_batch


@bp.get("/healthz")
def healthz():
    """200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/api/ping")
def ping():
    """The outbox's connectivity probe (no sign-in needed)."""
    return jsonify(ok=True)


@bp.get("/api/csrf")
def csrf_token():
    """A fresh CSRF token for the outbox, read at send time; and who is signed in."""
    user = None
    if current_user.is_authenticated:
        user = {"id": current_user.id, "username": current_user.username}
    response = jsonify(csrf_token=generate_csrf(), user=user)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/reference")
@login_required
def reference():
    """The signed-in user's reference data for offline forms: only what is in their scope."""
    ksms = db.session.scalars(ksm_query()).all()
    kelurahan = db.session.scalars(kelurahan_query()).all()
    workers = db.session.execute(
        db.select(
            Worker.uuid,
            Worker.version,
            Worker.ksm_id,
            Worker.name,
            Worker.category,
            Worker.gender,
            Worker.active,
            Worker.inactive_from,
        )
        .where(Worker.ksm_id.in_([k.id for k in ksms]))
        .order_by(Worker.name)
    )
    kotas = {k.kecamatan.kota_id: k.kecamatan.kota for k in kelurahan}
    kota = current_user.kota or (next(iter(kotas.values())) if kotas else None)
    response = jsonify(
        user={"id": current_user.id, "username": current_user.username, "role": current_user.role},
        kelurahan=[{"id": k.id, "name": k.name, "kecamatan": k.kecamatan.name} for k in kelurahan],
        ksm=[
            {
                "id": k.id,
                "name": k.name,
                "kelurahan_id": k.kelurahan_id,
                "activity": k.activity,
                "start_date": k.start_date.isoformat(),
                "end_date": k.end_date.isoformat(),
                "pay_period": k.pay_period,
                "wage_rates": ksm_rates(k),
            }
            for k in ksms
        ],
        workers=[_worker(w) for w in workers],
        wage_rates=kota.wage_rates() if kota else {},
        pages=offline_pages(current_user, ksms),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/sync")
@csrf.exempt  # checked below, after the sign-in check: a signed-out phone must get 401, not 400
@login_required
def sync():
    """Store a batch of records made on a phone, in order, each exactly once."""
    csrf.protect()
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting: refused like any unreadable body
        body = None
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return jsonify(error='Badan permintaan harus JSON: {"records": [...]}.', status=400), 400
    limit = current_app.config["SYNC_MAX_RECORDS"]
    if len(records) > limit:
        return jsonify(error=f"Paling banyak {limit} data per kiriman.", status=413), 413
    return jsonify(results=store_batch(records, current_user._get_current_object()))


def _worker(row) -> dict:
    """A worker for offline forms: `uuid` its identity, `version` its current version (what a
    correction `replaces`), and from which day a deactivated worker leaves the attendance lists."""
    values = dict(row._mapping)
    values["inactive_from"] = row.inactive_from.isoformat() if row.inactive_from else None
    return values


OUTCOMES_MAX = 500  # uuids per question (an outbox holds few conflicts)


@bp.post("/api/outcomes")
@csrf.exempt  # checked below, after the sign-in check (as /api/sync)
@login_required
def outcomes():
    """The supervisor's decision on the user's own records kept as conflicts, per uuid asked."""
    csrf.protect()
    body = request.get_json(silent=True)
    uuids = body.get("uuids") if isinstance(body, dict) else None
    if not isinstance(uuids, list) or len(uuids) > OUTCOMES_MAX or not all(map(is_uuid, uuids)):
        message = f'Badan permintaan harus {{"uuids": [...]}}, paling banyak {OUTCOMES_MAX} UUID.'
        return jsonify(error=message, status=400), 400
    rows = db.session.scalars(
        db.select(Conflict)
        .where(Conflict.uuid.in_({u.lower() for u in uuids}), Conflict.created_by_id == current_user.id)
        .order_by(Conflict.received_at, Conflict.id)
    )
    latest = {c.uuid: c for c in rows}  # a uuid sent again with other data: its newest conflict answers
    zone = current_app.config["TIMEZONE"]
    response = jsonify(outcomes=[_outcome(c, zone) for c in latest.values()])
    response.headers["Cache-Control"] = "no-store"
    return response


def _outcome(conflict, zone) -> dict:
    decided = conflict.resolved_at
    return {
        "uuid": conflict.uuid,
        "conflict_id": conflict.id,
        "status": conflict.status,
        "reason": conflict.decision_reason,
        "decided_at": decided.replace(tzinfo=UTC).isoformat() if decided else None,
        "decided_at_text": waktu(decided, zone) if decided else None,
    }
