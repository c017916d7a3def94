import csv
import io
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from flask import Response, current_app, render_template, request

from .. import db, stages, vocabulary
from ..access import get_kelurahan, get_ksm, kelurahan_query, may
from ..models import Kecamatan, Kelurahan, Payment, Worker
from ..payments import queries as payment_queries  # a module: payments.queries imports the read model
from ..remembered_pages import remembered
from ..safetext import cell
from ..workdays import today
from . import bp, charts, figures, xlsx
from .filters import PAGE_SIZE, SORTS, parse, sort_key


def _today():
    return today(current_app.config["TIMEZONE"])


def _in_scope():
    """The kelurahan in the user's scope and the filters read from the query string."""
    query = kelurahan_query()
    scoped = query.with_only_columns(Kelurahan.id, Kelurahan.kecamatan_id, Kecamatan.name)
    rows = db.session.execute(scoped).all()
    kecamatan = sorted({(r.kecamatan_id, r[2]) for r in rows}, key=lambda k: k[1])
    filters = parse(request.args, {k[0] for k in kecamatan})
    ids = [r.id for r in rows if filters.kecamatan_id in (None, r.kecamatan_id)]
    if filters.programme:
        of_programme = figures.programme_sql() == filters.programme
        allowed = set(db.session.scalars(db.select(Kelurahan.id).where(Kelurahan.id.in_(ids), of_programme)))
        ids = [i for i in ids if i in allowed]
    return ids, filters, kecamatan


def _figures():
    ids, filters, kecamatan = _in_scope()
    rows = figures.kelurahan_figures(ids, _today(), filters.period)
    rows.sort(key=sort_key(filters.sort))
    return rows, filters, kecamatan


@bp.get("/")
@may("review")
@remembered
def index():
    """Every kelurahan in scope with its figures, those needing attention first, and the charts."""
    rows, filters, kecamatan = _figures()
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(filters.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_template(
        "dashboard/index.html",
        rows=shown,
        total=len(rows),
        attention=sum(1 for k in rows if k.attention),
        page=page,
        pages=pages,
        filters=filters,
        kecamatan=kecamatan,
        sorts=SORTS,
        totals=_totals(rows),
        charts=_overview_charts(rows, shown, filters.period),
    )


def _totals(rows):
    keys = ("workers", "women", "hok", "wages_due", "wages_paid", "outstanding", "received", "absorbed")
    return {key: sum(getattr(k, key) for k in rows) for key in keys}


@lru_cache(maxsize=1024)
def _monday(day):
    return day - timedelta(days=day.weekday())


def _series(rows, period):
    """(HOK per day, (paid, due) per week) over these kelurahan figures, for the charts. A pay
    period's wages count in the week (from Monday) of its first day, paid and due alike."""
    due, paid = defaultdict(int), defaultdict(int)
    for f in (f for k in rows for f in k.ksms):
        for start, _end, owed, settled, _left in f.periods:
            due[_monday(start)] += owed
            paid[_monday(start)] += settled
    days = figures.hok_per_day([k.id for k in rows], period)
    hok = [(day.strftime("%d/%m"), int(n)) for day, n in days]
    weeks = [(w.strftime("%d/%m"), paid[w], due[w]) for w in sorted(set(due) | set(paid))]
    return hok, weeks


def _overview_charts(rows, shown, period):
    hok, weeks = _series(rows, period)
    target = shown[0].target if shown else 70
    return {
        "hok": charts.columns(hok),
        "weeks": charts.columns(weeks, series=2),
        "hok_rows": hok,
        "week_rows": weeks,
        "share": charts.hbars([(k.name, k.wage_share_percent) for k in shown], target=target),
        "compliance": charts.hbars([(k.name, k.compliance) for k in shown]),
        "stages": charts.hbars(figures.stage_counts(rows), top=charts.nice_top(max(len(rows), 1))),
        "stage_counts": figures.stage_counts(rows),
        "target": target,
    }


@bp.get("/kelurahan/<int:kelurahan_id>")
@may("review")
def kelurahan(kelurahan_id):
    """One kelurahan with its KSMs and the same figures."""
    place = get_kelurahan(kelurahan_id)
    _, filters, _ = _in_scope()
    k = figures.kelurahan_figures([place.id], _today(), filters.period)[0]
    hok, weeks = _series([k], filters.period)
    return render_template(
        "dashboard/kelurahan.html",
        k=k,
        stage_labels=stages.LABELS,
        filters=filters,
        charts={
            "hok": charts.columns(hok),
            "weeks": charts.columns(weeks, series=2),
            "hok_rows": hok,
            "week_rows": weeks,
            "share": charts.hbars([(f.name, f.wage_share_percent) for f in k.ksms], target=k.target),
        },
    )


@bp.get("/ksm/<int:ksm_id>")
@may("review")
def ksm(ksm_id):
    """One KSM: HOK per day, each pay period's status, payments, meetings, checks, progress."""
    row = get_ksm(ksm_id)
    k = figures.kelurahan_figures([row.kelurahan_id], _today())[0]
    f = next(f for f in k.ksms if f.id == row.id)
    days = figures.ksm_days(row.id)
    payments = payment_queries.standing_payments(row.id)
    names = dict(db.session.execute(db.select(Worker.id, Worker.name).where(Worker.ksm_id == row.id)).all())
    return render_template(
        "dashboard/ksm.html",
        k=k,
        days=days,
        today=_today(),
        meeting_types=vocabulary.TYPES,
        settings=vocabulary.SETTINGS,
        f=f,
        ksm=row,
        payments=sorted(payments, key=lambda p: (p.period_start, names.get(p.worker_id, ""))),
        names=names,
        reversed_count=db.session.scalar(
            db.select(db.func.count(Payment.id)).where(Payment.ksm_id == row.id, ~figures.not_reversed())
        ),
        meetings=figures.ksm_meetings(row.id),
        checks=figures.ksm_checks(row.id),
        charts={
            "hok": charts.columns([(d.strftime("%d/%m"), int(n)) for d, n, _ in days]),
            "periods": charts.columns([(p[0].strftime("%d/%m"), p[3], p[2]) for p in f.periods], series=2),
        },
    )


@bp.get("/export.csv")
@may("review")
def export_csv():
    """One row per kelurahan in scope, money in whole rupiah (docs/contracts.md header first)."""
    rows, _, _ = _figures()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=figures.COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Names typed by people reach the file: none may start a formula in a spreadsheet.
    writer.writerows(
        {key: cell(value) for key, value in figures.export_row(k).items()}
        for k in sorted(rows, key=lambda k: (k.kota, k.name))
    )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=kotaku-kelurahan.csv",
            "Cache-Control": "no-store",
        },
    )


@bp.get("/export.xlsx")
@may("review")
def export_xlsx():
    """The dashboard table as a workbook with Indonesian headers, for the city team's reports."""
    rows, filters, _ = _figures()
    return Response(
        xlsx.workbook(rows, filters, _today()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": "attachment; filename=kotaku-dashboard.xlsx",
            "Cache-Control": "no-store",
        },
    )
