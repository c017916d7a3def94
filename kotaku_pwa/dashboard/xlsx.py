"""The dashboard table as an XLSX workbook: Indonesian headers, rupiah formats, an A4 print area."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..formatting import tanggal_pendek
from ..safetext import cells

RUPIAH = '"Rp" #,##0'
PERCENT = "0%"

# (header, width, format, value of a kelurahan's figures)
COLUMNS = (
    ("Kota", 16, None, lambda k: k.kota),
    ("Kecamatan", 16, None, lambda k: k.kecamatan),
    ("Kelurahan", 20, None, lambda k: k.name),
    ("Program", 10, None, lambda k: " + ".join(k.programmes)),
    ("Tahap", 18, None, lambda k: k.progress.label),
    ("KSM", 6, "0", lambda k: len(k.ksms)),
    ("Pekerja", 9, "0", lambda k: k.workers),
    ("Perempuan", 10, "0", lambda k: k.women),
    ("HOK", 9, "#,##0", lambda k: k.hok),
    ("Upah terhitung", 16, RUPIAH, lambda k: k.wages_due),
    ("Upah dibayar", 16, RUPIAH, lambda k: k.wages_paid),
    ("Upah terutang", 16, RUPIAH, lambda k: k.outstanding),
    ("BPM diterima", 16, RUPIAH, lambda k: k.received),
    ("BPM terserap", 16, RUPIAH, lambda k: k.absorbed),
    ("Porsi upah", 10, PERCENT, lambda k: k.wage_share),
    ("Target porsi upah", 10, PERCENT, lambda k: k.target / 100),
    ("Progres fisik", 10, PERCENT, lambda k: k.progress_percent / 100),
    ("Kepatuhan prokes", 10, PERCENT, lambda k: None if k.compliance is None else k.compliance / 100),
    ("Konflik terbuka", 9, "0", lambda k: k.open_conflicts),
    ("Pembayaran tanpa bukti", 10, "0", lambda k: k.payments_flagged),
    ("Periode diverifikasi", 10, "0", lambda k: k.verified_periods),
    ("Periode dikembalikan", 10, "0", lambda k: k.returned_periods),
    ("Perlu perhatian", 30, None, lambda k: "; ".join(k.attention)),
)


def workbook(rows, filters, today) -> bytes:
    """The workbook of these kelurahan figures (the dashboard's filters named in its heading)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Dashboard"
    sheet.append(["REKAP KEMAJUAN KELURAHAN — KOTAKU"])
    sheet["A1"].font = Font(bold=True, size=13)
    period = ""
    if filters.period:
        first, last = (tanggal_pendek(d) if d else "…" for d in (filters.start, filters.end))
        period = f" · periode {first} s.d. {last}"
    sheet.append([f"Keadaan per {tanggal_pendek(today)}{period}"])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append([c[0] for c in COLUMNS])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for k in rows:
        # Names typed by people reach the file: none may start a formula (safetext.cell).
        sheet.append(cells(c[3](k) for c in COLUMNS))
    last_row = sheet.max_row
    for i, (_, width, number_format, _) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = width
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, max_row=last_row, min_col=i, max_col=i):
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=4)
    sheet.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
