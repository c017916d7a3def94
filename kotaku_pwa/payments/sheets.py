"""The LPJ sheets of a pay period: daftar hadir pekerja and daftar pembayaran upah (HTML and XLSX)."""

import io
from datetime import timedelta

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .. import db
from ..formatting import mask_nik, rupiah, tanggal_pendek
from ..models import Attendance, Worker
from ..safetext import cells
from ..terbilang import rupiah_words
from .queries import present_between, wage_list


def _heading(ksm, start, end):
    """What heads both sheets, on paper and in the workbook."""
    period = f"Periode {tanggal_pendek(start)} s.d. {tanggal_pendek(end)}"
    return {"ksm": ksm, "kelurahan": ksm.kelurahan, "start": start, "end": end, "period": period}


def daftar_hadir(ksm, start, end):
    """The attendance grid: a row per worker, a column per day, HOK per worker and per day."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)).all()
    present = set(
        db.session.execute(
            db.select(Attendance.worker_id, Attendance.work_date).where(
                Attendance.ksm_id == ksm.id, *present_between(start, end)
            )
        )
    )
    grid = [(w, [(w.id, d) in present for d in days]) for w in workers]
    grid = [(w, marks) for w, marks in grid if w.on_list(start) or any(marks)]  # deactivated before
    return {
        **_heading(ksm, start, end),
        "days": days,
        "grid": grid,
        "per_day": [sum(marks[i] for _, marks in grid) for i in range(len(days))],
        "total": len(present),
    }


def daftar_upah(ksm, start, end):
    """The wage payment list: worker, NIK masked, HOK, rate, amount, signature or a blank to sign.

    A signed sheet never changes silently: a paid row shows the days and amount paid and signed, and
    beside them the difference to the wages due now (a paid day corrected later), until settled."""
    rows, _ = wage_list(ksm, start, end)
    total = {
        "hok": sum(r.sheet_days for r in rows),
        "due": sum(r.sheet_amount for r in rows),
        "difference": sum(r.difference for r in rows),
        "difference_rows": sum(1 for r in rows if r.difference),
    }
    return {**_heading(ksm, start, end), "rows": rows, "total": total, "difference_note": difference_note}


def difference_note(row) -> str:
    """Beside a paid row whose wages changed since: kelebihan / kekurangan bayar, in rupiah."""
    if row.difference < 0:
        return f"Kelebihan bayar {rupiah(-row.difference)} (HOK kini {row.line.hok})"
    if row.difference > 0:
        return f"Kekurangan bayar {rupiah(row.difference)} (HOK kini {row.line.hok})"
    return ""


def _append(sheet, row):
    """Every row goes through safetext.cells: a name like =HYPERLINK(...) stays text."""
    sheet.append(cells(row))


SHEETS = {"daftar-hadir": daftar_hadir, "daftar-upah": daftar_upah}


def workbook(name, data) -> bytes:
    """The sheet as an XLSX file (LPJ annex), with the same totals as the printable page."""
    book = Workbook()
    sheet = book.active
    title = "DAFTAR HADIR PEKERJA" if name == "daftar-hadir" else "DAFTAR PEMBAYARAN UPAH PEKERJA"
    sheet.title = name
    _append(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=13)
    _append(sheet, [f"{data['ksm'].name} — Kelurahan {data['kelurahan'].name}"])
    _append(sheet, [data["period"]])
    _append(sheet, [])
    if name == "daftar-hadir":
        _append(sheet, ["No", "Nama", *[d.strftime("%d/%m") for d in data["days"]], "HOK"])
        for i, (worker, marks) in enumerate(data["grid"], start=1):
            _append(sheet, [i, worker.name, *["✓" if m else "" for m in marks], sum(marks)])
        _append(sheet, ["", "Jumlah HOK", *data["per_day"], data["total"]])
    else:
        _append(
            sheet,
            [
                "No",
                "Nama",
                "NIK",
                "Kategori",
                "HOK",
                "Upah harian",
                "Jumlah (Rp)",
                "Tanda tangan / cap jempol",
                "Selisih (Rp)",
                "Keterangan",
            ],
        )
        for i, row in enumerate(data["rows"], start=1):
            signed = "tanda tangan digital" if row.payment and row.payment.signature_key else ""
            _append(
                sheet,
                [
                    i,
                    row.worker.name,
                    mask_nik(row.worker.nik),
                    row.worker.category,
                    row.sheet_days,
                    row.line.rate,
                    row.sheet_amount,
                    signed,
                    row.difference or None,
                    difference_note(row) or None,
                ],
            )
        total = data["total"]
        difference = total["difference"] or None
        _append(sheet, ["", "JUMLAH", "", "", total["hok"], "", total["due"], "", difference])
        _append(sheet, [])
        _append(sheet, ["", f"Terbilang: {rupiah_words(data['total']['due'])}"])
    _append(sheet, [])
    _append(sheet, ["", "Ketua KSM", "", "", "", "Bendahara KSM"])
    _append(sheet, [])
    _append(sheet, [])
    _append(
        sheet,
        [
            "",
            f"({data['ksm'].ketua or '..................'})",
            "",
            "",
            "",
            f"({data['ksm'].bendahara or '..................'})",
        ],
    )
    sheet.column_dimensions["B"].width = 28
    for cell in sheet[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
