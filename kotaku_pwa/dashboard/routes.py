import csv
import io

from flask import Response

from ..access import kelurahan_query, may
from ..safetext import cell
from . import bp
from .queries import COLUMNS, kelurahan_rows


@bp.get("/export.csv")
@may("review")
def export_csv():
    """One row per kelurahan in scope, money in whole rupiah (SPEC.md header)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Names typed by people reach the file: none may start a formula in a spreadsheet.
    writer.writerows(
        {key: cell(value) for key, value in row.items()} for row in kelurahan_rows(kelurahan_query())
    )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=kotaku-kelurahan.csv",
            "Cache-Control": "no-store",
        },
    )
