import io

import segno
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer

from .. import audit, db, storage
from ..access import get_kelurahan, get_ksm, place_of, user_scope
from ..models import Ksm, Meeting, ProgressReport, WorkItem
from ..roles import scope_of
from ..scope import can_write
from ..workdays import today
from . import bp, lpj, photos, work_items
from .progress import PROGRESS
from .queries import evidence, figures, kelurahan_weekly, percent_now, reports, weekly
from .queries import work_items as items_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/ksm/<int:ksm_id>/progres")
@login_required
def page(ksm_id):
    """The KSM's physical progress: work items, reports with photos, and the report form (outbox)."""
    ksm = get_ksm(ksm_id)
    items = items_of(ksm.id)
    rows = reports(ksm.id)
    return render_template(
        "progress/page.html",
        ksm=ksm,
        items=items,
        item_names={i.id: i.name for i in items},
        reports=rows,
        latest={r.work_item_id: r.percent for r in rows},
        baseline={r.work_item_id: r.id for r in reversed(rows) if r.has_photo and r.percent == 0},
        percent=percent_now(ksm.id, items, rows),
        may_report=can_write(user_scope(), PROGRESS.writers, place_of(ksm)),
        kelurahan_report=scope_of(current_user.role) != "ksm",
        today=_today(),
    )


@bp.route("/ksm/<int:ksm_id>/item", methods=["GET", "POST"])
@login_required  # get_ksm asks whether the role writes progress reports (403)
def items(ksm_id):
    """Set the KSM's work items (item, volume, unit, planned cost): the facilitator or admin."""
    ksm = get_ksm(ksm_id, "progress")
    form, errors = request.form, {}
    if request.method == "POST":
        item, errors = work_items.build(form, ksm, items_of(ksm.id), current_user.id)
        if not errors:
            db.session.add(item)
            db.session.flush()
            audit.log("work_item_created", "work_item", item.id, ksm.kelurahan_id, name=item.name)
            db.session.commit()
            flash(f"Item pekerjaan “{item.name}” disimpan.", "success")
            return redirect(url_for("progress.items", ksm_id=ksm.id))
    return render_template(
        "progress/items.html",
        ksm=ksm,
        items=items_of(ksm.id),
        form=form,
        errors=errors,
        units=work_items.UNITS,
    ), 400 if errors else 200


@bp.post("/ksm/<int:ksm_id>/item/<int:item_id>/delete")
@login_required
def delete_item(ksm_id, item_id):
    """Remove a work item set by mistake; one with progress reports stays (they name it)."""
    ksm = get_ksm(ksm_id, "progress")
    item = db.session.get(WorkItem, item_id)
    if item is None or item.ksm_id != ksm.id:
        abort(404)
    if db.session.scalar(db.select(ProgressReport.id).where(ProgressReport.work_item_id == item.id).limit(1)):
        flash(f"“{item.name}” sudah punya laporan progres dan tidak dapat dihapus.", "error")
        return redirect(url_for("progress.items", ksm_id=ksm.id))
    audit.log("work_item_deleted", "work_item", item.id, ksm.kelurahan_id, name=item.name)
    db.session.delete(item)
    db.session.commit()
    flash(f"Item pekerjaan “{item.name}” dihapus.", "success")
    return redirect(url_for("progress.items", ksm_id=ksm.id))


@bp.get("/ksm/<int:ksm_id>/bukti")
@login_required
def gallery(ksm_id):
    """The KSM's evidence: progress, meeting, thumbprint-list and receipt photos, as thumbnails."""
    ksm = get_ksm(ksm_id)
    return render_template(
        "progress/gallery.html",
        ksm=ksm,
        photos=evidence(ksm.id),
        item_names={i.id: i.name for i in items_of(ksm.id)},
        labels={kind: source[2] for kind, source in photos.SOURCES.items()},
    )


@bp.get("/photos/<kind>/<int:record_id>")
@login_required
def photo(kind, record_id):
    """One evidence photo (or its thumbnail with ?thumb=1), for those who may see its record."""
    if kind not in photos.SOURCES:
        abort(404)
    model, column, _ = photos.SOURCES[kind]
    record = db.session.get(model, record_id) or abort(404)
    if isinstance(record, Meeting) and record.ksm_id is None:
        get_kelurahan(record.kelurahan_id)
    else:
        get_ksm(record.ksm_id)
    key = getattr(record, f"{column}_key") or abort(404)
    if request.args.get("thumb"):
        return storage.answer(key, photos.thumbnail, variant="-thumb")
    return storage.answer(key)


@bp.get("/ksm/<int:ksm_id>/lpj")
@login_required
def lpj_summary(ksm_id):
    """The LPJ's printable summary: budget, absorption, wage share, HOK, workers, progress."""
    ksm = get_ksm(ksm_id)
    return render_template(
        "progress/lpj.html",
        ksm=ksm,
        f=figures(ksm, _today()),
        items=items_of(ksm.id),
        back=url_for("progress.page", ksm_id=ksm.id),
    )


@bp.get("/ksm/<int:ksm_id>/lpj.zip")
@login_required
def lpj_zip(ksm_id):
    """The KSM's LPJ pack: every pay period's sheets, the buku kas, progress photos, meetings, summary."""
    ksm = get_ksm(ksm_id)
    return Response(
        lpj.pack(ksm, _today()),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f"attachment; filename=lpj-ksm-{ksm.id}.zip",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/ksm/<int:ksm_id>/mingguan")
@bp.get("/ksm/<int:ksm_id>/mingguan.xlsx", endpoint="ksm_weekly_xlsx")
@login_required
def ksm_weekly(ksm_id):
    """The KSM's weekly report (week, physical %, budget absorbed %, HOK, workers L/P, wages paid)."""
    ksm = get_ksm(ksm_id)
    return _weekly(f"{ksm.name}, Kel. {ksm.kelurahan.name}", weekly(ksm, _today()), f"mingguan-ksm-{ksm.id}")


@bp.get("/kelurahan/<int:kelurahan_id>/mingguan")
@bp.get("/kelurahan/<int:kelurahan_id>/mingguan.xlsx", endpoint="kelurahan_weekly_xlsx")
@login_required
def kelurahan_weekly_page(kelurahan_id):
    """The kelurahan's weekly report over all its KSMs (not for a treasurer: one KSM is theirs)."""
    if scope_of(current_user.role) == "ksm":
        abort(403)
    kelurahan = get_kelurahan(kelurahan_id)
    rows = kelurahan_weekly(kelurahan, _today())
    return _weekly(f"Kelurahan {kelurahan.name}", rows, f"mingguan-kelurahan-{kelurahan.id}")


def _weekly(title, rows, filename):
    if request.path.endswith(".xlsx"):
        return Response(
            lpj.weekly_workbook(title, rows),
            mimetype=XLSX,
            headers={"Content-Disposition": f"attachment; filename={filename}.xlsx"},
        )
    return render_template(
        "progress/weekly.html",
        title=title,
        rows=rows,
        xlsx=request.path + ".xlsx",
        back=url_for("home.index"),
    )


@bp.get("/ksm/<int:ksm_id>/papan")
@login_required
def board(ksm_id):
    """The printable papan informasi of a KSM, with a QR code to its public page."""
    ksm = get_ksm(ksm_id)
    public = url_for("progress.public_board", token=board_token(ksm.id), _external=True)
    qr = segno.make(public, error="m")
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=4, xmldecl=False, svgns=True, svgclass="qr", omitsize=False)
    return render_template(
        "progress/board.html",
        ksm=ksm,
        f=figures(ksm, _today()),
        public=public,
        qr=svg.getvalue().decode(),
        back=url_for("progress.page", ksm_id=ksm.id),
    )


@bp.get("/papan/<token>")
def public_board(token):
    """The public information board of a KSM: its figures, no NIK, no name (no sign-in needed)."""
    try:
        ksm_id = _serializer().loads(token)
    except BadSignature:
        abort(404)
    ksm = db.session.get(Ksm, ksm_id) if isinstance(ksm_id, int) else None
    if ksm is None:
        abort(404)
    response = Response(render_template("progress/public.html", ksm=ksm, f=figures(ksm, _today())))
    response.headers["Cache-Control"] = "no-store"
    return response


def board_token(ksm_id) -> str:
    """The unguessable public address of a KSM's board: its id signed with the app's secret."""
    return _serializer().dumps(ksm_id)


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="papan-informasi")


def _today():
    return today(current_app.config["TIMEZONE"])
