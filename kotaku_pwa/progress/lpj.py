"""The KSM's LPJ pack (one zip) and the workbooks it holds besides the pay-period sheets."""

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Font
from PIL import Image, UnidentifiedImageError

from .. import db
from .. import vocabulary as v
from ..models import Meeting, Payment, ProgressReport
from ..payments import sheets
from ..safetext import cells
from ..storage import store
from ..wages import pay_periods
from .photos import as_jpeg
from .queries import figures, reports, work_items

SIGNATURE_HEIGHT = 36  # pixels of a signature in the daftar upah workbook


def pack(ksm, today):
    """The zip's bytes: summary, pay periods, buku kas, progress, meetings. Built in memory: photos
    are at most 200 KB each and stored as they are, so a season's pack is a few megabytes."""
    out = io.BytesIO()
    f = figures(ksm, today)
    rows = reports(ksm.id)
    items = {i.id: i for i in work_items(ksm.id)}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("00-ringkasan.xlsx", summary_workbook(ksm, f, items))
        _pay_periods(z, ksm, today)
        _ledger(z, ksm, f["book"])
        _progress(z, ksm, rows, items)
        _meetings(z, ksm)
    return out.getvalue()


def _pay_periods(z, ksm, today):
    for start, end in pay_periods(ksm.start_date, ksm.end_date, ksm.pay_period):
        if start > today:
            break
        hadir = sheets.daftar_hadir(ksm, start, end)
        z.writestr(f"01-upah/{start}-daftar-hadir.xlsx", sheets.workbook("daftar-hadir", hadir))
        upah = sheets.daftar_upah(ksm, start, end)
        z.writestr(
            f"01-upah/{start}-daftar-upah.xlsx", with_signatures(sheets.workbook("daftar-upah", upah), upah)
        )
    photos = db.session.execute(
        db.select(Payment.id, Payment.period_start, Payment.photo_key).where(
            Payment.ksm_id == ksm.id, Payment.photo_key.isnot(None)
        )
    )
    for payment_id, start, key in photos:
        _photo(z, f"01-upah/cap-jempol/{start}-pembayaran-{payment_id}", key)


def with_signatures(xlsx: bytes, data) -> bytes:
    """The daftar upah workbook with each worker's drawn signature in the signature column."""
    book = load_workbook(io.BytesIO(xlsx))
    sheet = book.active
    header = next(
        (
            row
            for row in sheet.iter_rows(max_row=10)
            if any("Tanda tangan" in str(c.value or "") for c in row)
        ),
        None,
    )
    if header is None:
        return xlsx
    column = next(c.column_letter for c in header if "Tanda tangan" in str(c.value or ""))
    sheet.column_dimensions[column].width = 24
    for number, row in enumerate(data["rows"], start=header[0].row + 1):
        key = row.payment.signature_key if row.payment else None
        image = _sheet_image(store().get(key)) if key else None
        if image is None:
            continue
        sheet[f"{column}{number}"] = None  # the picture takes the place of "tanda tangan digital"
        sheet.row_dimensions[number].height = SIGNATURE_HEIGHT * 0.75 + 4
        sheet.add_image(image, f"{column}{number}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_image(png):
    """An openpyxl image of a signature PNG, scaled to the row; None if the bytes are no image."""
    try:
        with Image.open(io.BytesIO(png)) as picture:
            picture.load()
            width, height = picture.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    image = SheetImage(io.BytesIO(png))  # openpyxl reads the file again when the workbook is saved
    image.height, image.width = SIGNATURE_HEIGHT, max(1, round(width * SIGNATURE_HEIGHT / max(height, 1)))
    return image


def _photo(z, stem, key):
    """The image under `key` in the image store, as a JPEG of the zip."""
    jpeg = as_jpeg(store().get(key))
    if jpeg is not None:
        z.writestr(f"{stem}.jpg", jpeg, compress_type=zipfile.ZIP_STORED)  # JPEG does not deflate


def _ledger(z, ksm, book):
    wb, sheet = _book("BUKU KAS", f"{ksm.name} — Kelurahan {ksm.kelurahan.name}")
    _append(sheet, ["Pencairan BPM"])
    _append(sheet, ["Tahap", "Tanggal diterima", "Jumlah (Rp)", "Referensi bank"])
    for r in book["receipts"]:
        _append(sheet, [r.tranche, r.received_on, r.amount, r.bank_reference or ""])
    _append(sheet, [])
    _append(sheet, ["Belanja non-upah"])
    _append(sheet, ["Tanggal", "Jenis", "Uraian", "Jumlah (Rp)", "Foto kuitansi"])
    for s in book["spending"]:
        photo = f"02-kuitansi/{s.spent_on}-belanja-{s.id}.jpg" if s.receipt_photo_key else ""
        _append(
            sheet,
            [
                s.spent_on,
                v.SPENDING_CATEGORY_LABELS.get(s.category, s.category),
                s.description,
                s.amount,
                photo,
            ],
        )
        if s.receipt_photo_key:
            _photo(z, photo.removesuffix(".jpg"), s.receipt_photo_key)
    _append(sheet, [])
    for label, value in (
        ("Dana diterima", book["received"]),
        ("Upah dibayar", book["wages_paid"]),
        ("Belanja non-upah", book["spent"]),
        ("Saldo", book["balance"]),
        ("Upah belum dibayar", book["outstanding"]),
    ):
        _append(sheet, [label, "", "", value])
    z.writestr("02-buku-kas.xlsx", _save(wb))


def _progress(z, ksm, rows, items):
    wb, sheet = _book("LAPORAN PROGRES FISIK", f"{ksm.name} — Kelurahan {ksm.kelurahan.name}")
    _append(
        sheet,
        [
            "Tanggal",
            "Item pekerjaan",
            "Progres (%)",
            "Catatan",
            "Foto",
            "Lintang",
            "Bujur",
            "Waktu foto (UTC)",
        ],
    )
    photos = dict(
        db.session.execute(
            db.select(ProgressReport.id, ProgressReport.photo_key).where(
                ProgressReport.ksm_id == ksm.id, ProgressReport.photo_key.isnot(None)
            )
        ).all()
    )
    for r in rows:
        name = f"03-progres/{r.reported_on}-{r.percent}persen-{r.id}.jpg" if r.id in photos else ""
        item = items[r.work_item_id].name if r.work_item_id in items else "Seluruh pekerjaan"
        _append(
            sheet,
            [r.reported_on, item, r.percent, r.notes or "", name, r.photo_lat, r.photo_lon, r.photo_taken_at],
        )
        if name:
            _photo(z, name.removesuffix(".jpg"), photos[r.id])
    z.writestr("03-progres/laporan-progres.xlsx", _save(wb))


def _meetings(z, ksm):
    meetings = db.session.scalars(
        db.select(Meeting).where(Meeting.ksm_id == ksm.id).order_by(Meeting.held_on, Meeting.id)
    ).all()
    for m in meetings:
        label = v.TYPES.get(m.type, m.type)
        wb, sheet = _book(f"DAFTAR HADIR {label.upper()}", f"{m.place} — {m.held_on}")
        _append(sheet, ["No", "Nama", "L/P", "Unsur", "Tanda tangan"])
        for i, a in enumerate(m.attendees, start=1):
            _append(sheet, [i, a.name, a.gender, v.ATTENDEE_ROLES.get(a.role, a.role), ""])
        stem = f"04-pertemuan/{m.held_on}-{m.type}-{m.id}"
        z.writestr(f"{stem}-daftar-hadir.xlsx", _save(wb))
        if m.photo_key:
            _photo(z, f"{stem}-foto", m.photo_key)


def summary_workbook(ksm, f, items) -> bytes:
    """The pack's summary sheet: budget, absorbed, wage share, HOK, workers L/P, progress."""
    wb, sheet = _book("RINGKASAN LPJ", f"{ksm.name} — Kelurahan {ksm.kelurahan.name}")
    share = f["wage_share"]
    for label, value in (
        ("Kegiatan", ksm.activity),
        ("Masa kerja", f"{ksm.start_date} s.d. {ksm.end_date}"),
        ("Anggaran (Rp)", f["budget"]),
        ("Dana diterima (Rp)", f["received"]),
        ("Upah dibayar (Rp)", f["wages_paid"]),
        ("Belanja non-upah (Rp)", f["other_spending"]),
        ("Penyerapan anggaran (%)", f["absorbed"]),
        ("Porsi upah (%)", None if share is None else round(share * 100, 1)),
        ("Target porsi upah (%)", f["wage_share_target"]),
        ("HOK", f["hok"]),
        ("Pekerja laki-laki", f["men"]),
        ("Pekerja perempuan", f["women"]),
        ("Progres fisik (%)", f["progress"]),
        ("Kepatuhan protokol kesehatan (%)", f["compliance"]),
    ):
        _append(sheet, [label, value])
    if items:
        _append(sheet, [])
        _append(sheet, ["Item pekerjaan", "Volume", "Satuan", "Biaya rencana (Rp)"])
        for item in items.values():
            _append(sheet, [item.name, item.volume, item.unit, item.planned_cost])
    return _save(wb)


def weekly_workbook(title, rows) -> bytes:
    """The weekly report as XLSX, the same columns as the printable page."""
    wb, sheet = _book("LAPORAN MINGGUAN", title)
    _append(
        sheet,
        [
            "Minggu",
            "Dari",
            "Sampai",
            "Progres fisik (%)",
            "Penyerapan (%)",
            "HOK",
            "Pekerja L",
            "Pekerja P",
            "Upah dibayar (Rp)",
        ],
    )
    for number, w in enumerate(rows, start=1):
        _append(sheet, [number, w.start, w.end, w.physical, w.absorbed, w.hok, w.men, w.women, w.wages_paid])
    return _save(wb)


def _book(title, subtitle):
    wb = Workbook()
    sheet = wb.active
    _append(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=13)
    _append(sheet, [subtitle])
    _append(sheet, [])
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 28
    return wb, sheet


def _append(sheet, row):
    """Every row goes through safetext.cells: typed text like =HYPERLINK(...) stays text."""
    sheet.append(cells(row))


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
