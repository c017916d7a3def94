from flask import abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func

from .. import db, htmx, nik
from ..access import get_ksm, ksm_query, ksms_with_place, may
from ..models import Kecamatan, Kelurahan, Kota, Ksm, Worker
from ..payments.queries import ksm_rates
from ..records.fields import is_uuid
from ..records.history import history
from ..roles import allows
from ..vocabulary import CATEGORY_LABELS, WAGE_CATEGORIES
from ..workdays import default_day, today
from . import bp, page
from .worker import WORKER, data_of, has_hok

# Orders of the register: (label, columns).
SORTS = {
    "nama": ("Nama (A–Z)", (Worker.name, Worker.id)),
    "terbaru": ("Terbaru didaftarkan", (Worker.received_at.desc(), Worker.id.desc())),
    "kategori": ("Kategori", (Worker.category, Worker.name, Worker.id)),
}


@bp.get("/")
@login_required
def index():
    """The worker register of the user's KSMs: search by name or the NIK's last digits, filter per
    KSM, category or NIK from outside the kota, sorted; an htmx request gets the results only."""
    ksms = db.session.scalars(ksm_query()).all()
    chosen = get_ksm(request.args.get("ksm_id", type=int)) if request.args.get("ksm_id") else None
    shown = [chosen] if chosen else ksms
    filters = _filters()
    workers = db.session.scalars(_search(filters, [k.id for k in shown])).all()
    by_ksm = {k.id: [w for w in workers if w.ksm_id == k.id] for k in shown}
    codes = {k.id: k.kelurahan.kecamatan.kota.kode_wilayah for k in shown}
    return render_template(
        "workers/_results.html" if htmx else "workers/index.html",
        ksms=ksms,
        shown=shown,
        chosen=chosen,
        by_ksm=by_ksm,
        labels=CATEGORY_LABELS,
        filters=filters,
        sorts=SORTS,
        outside=lambda w: nik.outside_kota(w.nik, codes.get(w.ksm_id)),
        searching=any(filters[k] for k in ("q", "category", "luar")),
    )


def _filters() -> dict:
    """The register's filters from the query string; anything unknown means "all"."""
    args = request.args
    q = (args.get("q") or "").strip()[:100]
    return {
        "q": q,
        "category": args.get("category") if args.get("category") in WAGE_CATEGORIES else "",
        "sort": args.get("sort") if args.get("sort") in SORTS else "nama",
        "luar": args.get("luar") == "1",
    }


def _search(filters, ksm_ids):
    """The select of the workers of these KSMs that match the filters, in the chosen order."""
    query = db.select(Worker).where(Worker.ksm_id.in_(ksm_ids))
    q = filters["q"].replace(" ", "")
    if q.isdigit():  # the last digits of the NIK
        query = query.where(Worker.nik.endswith(q, autoescape=True))
    elif filters["q"]:
        query = query.where(Worker.name.icontains(filters["q"], autoescape=True))
    if filters["category"]:
        query = query.where(Worker.category == filters["category"])
    if filters["luar"]:
        query = outside_kota(query)
    return query.order_by(*SORTS[filters["sort"]][1])


def outside_kota(query):
    """Only the workers whose NIK region lies outside their KSM's kota (SQL of nik.outside_kota)."""
    return (
        query.join(Ksm, Worker.ksm_id == Ksm.id)
        .join(Kelurahan)
        .join(Kecamatan)
        .join(Kota)
        .where(Kota.kode_wilayah.is_not(None), func.substr(Worker.nik, 1, 4) != Kota.kode_wilayah)
    )


@bp.get("/new")
@may("record_workers")
def new():
    """The registration form; it saves into the phone's outbox first (static/js/forms.js)."""
    ksms = db.session.scalars(ksms_with_place()).all()
    chosen = get_ksm(request.args.get("ksm_id", type=int), "worker") if request.args.get("ksm_id") else None
    return render_template(
        "workers/new.html", ksms=ksms, chosen=chosen, categories=WAGE_CATEGORIES, labels=CATEGORY_LABELS
    )


@bp.get("/<uuid>")
@login_required
def show(uuid):
    """A worker's page: details, status, days per pay period, payments and history ("riwayat"); the
    corrections this phone holds of the worker are shown beside it by static/js/worker.js."""
    worker = _worker(uuid)
    ksm = get_ksm(worker.ksm_id)  # 404 outside the user's scope
    versions = history(WORKER, worker)
    return render_template(
        "workers/show.html",
        worker=worker,
        ksm=ksm,
        outside=nik.outside_kota(worker.nik, ksm.kelurahan.kecamatan.kota.kode_wilayah),
        attendance=page.attendance(worker, ksm),
        rate=ksm_rates(ksm)[worker.category],
        payments=page.payments(worker),
        versions=[v.uuid for v in versions],
        riwayat=page.in_words(versions, current_app.config["TIMEZONE"]),
        may_edit=allows(current_user.role, "record_workers"),
        labels=CATEGORY_LABELS,
    )


@bp.get("/<uuid>/edit")
@may("record_workers")
def edit(uuid):
    """The registration form filled from the worker's current version, with their status (active, or
    from when and why not): saved as a correction that replaces it (static/js/corrections.js)."""
    worker = _worker(uuid)
    ksm = get_ksm(worker.ksm_id, "worker")
    return render_template(
        "workers/new.html",
        worker=worker,
        current=data_of(worker),
        chosen=ksm,
        ksms=db.session.scalars(ksm_query()).all(),
        has_days=has_hok(worker),  # then they stay in their KSM (WorkerKind.correction_problems)
        categories=WAGE_CATEGORIES,
        labels=CATEGORY_LABELS,
        default_from=default_day(ksm.start_date, ksm.end_date, today(current_app.config["TIMEZONE"])),
    )


def _worker(uuid) -> Worker:
    """The worker whose identity (first version's uuid) this is; the scope is the caller's check."""
    if not is_uuid(uuid):
        abort(404)
    return db.session.scalar(db.select(Worker).where(Worker.uuid == uuid.lower())) or abort(404)
