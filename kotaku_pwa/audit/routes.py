from flask import render_template, request, url_for
from flask_login import current_user

from .. import db
from ..access import kelurahan_query, ksm_query, may, user_scope
from ..models import AuditLog, Kelurahan, User
from ..roles import scope_of
from ..vocabulary import RECORD_KIND_LABELS
from . import bp

PAGE = 50

# What an entry's action and kind read as (Indonesian); unknown codes are shown as they are.
ACTIONS = {
    "created": "mencatat",
    "updated": "mengubah",
    "deleted": "menghapus",
    "corrected": "mengoreksi",
    "payment_reversed": "membatalkan pembayaran",
    "conflict_kept_existing": "menyelesaikan konflik: data tersimpan dipertahankan",
    "conflict_kept_incoming": "menyelesaikan konflik: data masuk dipakai",
    "password_changed": "mengganti kata sandi",
    "login_failed": "gagal masuk",
}
KIND_LABELS = {kind: label.lower() for kind, label in RECORD_KIND_LABELS.items()} | {
    "user": "akun",
    "kota": "kota",
    "kecamatan": "kecamatan",
    "kelurahan": "kelurahan",
    "bkm": "BKM",
    "ksm": "KSM",
    "programme_year": "tahun program",
}


@bp.get("/")
@may("review")
def index():
    """The audit trail of the user's kota (admin: everything), newest first, filtered and paged."""
    ksms = db.session.scalars(ksm_query()).all()
    filters, problems = _filters(ksms)
    entries = [] if problems else _entries(filters)
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    return render_template(
        "audit/index.html",
        entries=entries,
        ksms=ksms,
        ksm_names={k.id: k.name for k in ksms},
        users=_users(),
        kinds=KIND_LABELS,
        filters=filters,
        problems=problems,
        next_url=_page_url(filters, entries[-1].id) if more else None,
        actions=ACTIONS,
        link=record_link,
    ), 400 if problems else 200


def _filters(ksms):
    """The filters asked for, as ids and codes; an id that is not a whole number, or names nothing the
    user sees, is a message (never a 500)."""
    args, filters, problems = request.args, {}, []
    for name, message in (
        ("ksm", "KSM tidak dikenal atau di luar wilayah Anda."),
        ("user", "Pengguna tidak dikenal."),
        ("before", "Halaman tidak dikenal."),
    ):
        raw = args.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            problems.append(message)
            continue
        filters[name] = int(raw)
    if "ksm" in filters and filters["ksm"] not in {k.id for k in ksms}:
        problems.append("KSM tidak dikenal atau di luar wilayah Anda.")
    if "user" in filters and db.session.get(User, filters["user"]) is None:
        problems.append("Pengguna tidak dikenal.")
    kind = args.get("kind", "").strip()
    if kind:
        if kind in KIND_LABELS:
            filters["kind"] = kind
        else:
            problems.append("Jenis data tidak dikenal.")
    return filters, problems


def _entries(filters):
    """At most one page and one more entry (to know whether there is a next page), newest first."""
    query = db.select(AuditLog).order_by(AuditLog.id.desc()).limit(PAGE + 1)
    if scope_of(current_user.role) != "all":
        # Entries of a place in the user's kota; those of no place (accounts, sign-ins) are admin's.
        in_scope = kelurahan_query().with_only_columns(Kelurahan.id).order_by(None)
        query = query.where(AuditLog.kelurahan_id.in_(in_scope))
    if "ksm" in filters:
        query = query.where(AuditLog.ksm_id == filters["ksm"])
    if "user" in filters:
        query = query.where(AuditLog.user_id == filters["user"])
    if "kind" in filters:
        query = query.where(AuditLog.object_kind == filters["kind"])
    if "before" in filters:
        query = query.where(AuditLog.id < filters["before"])
    return db.session.scalars(query).all()


def _users():
    """The users a filter may name: everyone for admin, the kota's people for a supervisor."""
    query = db.select(User).order_by(User.full_name)
    scope = user_scope()
    if scope_of(scope.role) != "all":
        in_scope = kelurahan_query().with_only_columns(Kelurahan.id).order_by(None)
        seen = db.select(AuditLog.user_id).where(AuditLog.kelurahan_id.in_(in_scope)).distinct()
        query = query.where(User.id.in_(seen))
    return db.session.scalars(query).all()


def _page_url(filters, last_id):
    args = {k: v for k, v in filters.items() if k != "before"}
    return url_for("audit.index", **args, before=last_id)


def record_link(entry):
    """Where the record an entry is about can be seen, or None."""
    detail, ksm_id = entry.detail or {}, entry.ksm_id
    kind = entry.object_kind
    if entry.action.startswith("conflict_"):
        return url_for("conflicts.index", status="all")
    if kind == "attendance" and ksm_id and detail.get("work_date"):
        return url_for("attendance.day", ksm_id=ksm_id, day=detail["work_date"])
    if kind in ("payment", "verification") and ksm_id and detail.get("period_start"):
        return url_for("payments.period", ksm_id=ksm_id, start=detail["period_start"])
    if kind in ("tranche", "spending") and ksm_id:
        return url_for("payments.ledger_page", ksm_id=ksm_id)
    if kind == "worker" and ksm_id:
        return url_for("workers.index", ksm_id=ksm_id)
    if kind == "meeting" and entry.object_id:
        return url_for("meetings.detail", meeting_id=entry.object_id)
    if kind == "health_check":
        return url_for("meetings.index")
    return None
