import csv
import io

from flask import Response

from .. import db
from ..access import kelurahan_query, may
from ..dfat.queries import sanitation_access_percent, water_access_percent
from ..models import Kelurahan
from ..safetext import cell
from . import bp
from .queries import COLUMNS, kelurahan_rows

# SPEC.md's further export.csv columns, each a function of a set of kelurahan ids.
FIGURES = {
    "water_access_percent": water_access_percent,
    "sanitation_access_percent": sanitation_access_percent,
}


@bp.get("/export.csv")
@may("review")
def export_csv():
    """One row per kelurahan in scope, money in whole rupiah (SPEC.md header)."""
    out = io.StringIO()
    rows = kelurahan_rows(kelurahan_query())
    ids = db.session.scalars(kelurahan_query().with_only_columns(Kelurahan.id)).all()
    for column, figure in FIGURES.items():  # further columns: {kelurahan_id: value} from their area
        values = figure(ids)
        for kelurahan_id, row in zip(ids, rows, strict=True):
            row[column] = values.get(kelurahan_id, "")
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *FIGURES], lineterminator="\n")
    writer.writeheader()
    # Names typed by people reach the file: none may start a formula in a spreadsheet.
    writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=kotaku-kelurahan.csv",
            "Cache-Control": "no-store",
        },
    )
