"""A conflict card as people read it: Indonesian labels, names for ids, one style for values.

`readable` is plain Python (its names come in a dict); `Names` loads those names for a page of
conflicts with one query per table.
"""

import re
from datetime import date, datetime

from .. import db
from ..formatting import mask_nik, mask_phone, rupiah, tanggal, tanggal_pendek, waktu
from ..models import Kelurahan, Ksm, Meeting, Worker
from ..vocabulary import (
    ALL_TOPICS,
    CATEGORY_LABELS,
    GENDERS,
    MP2K_OUTCOMES,
    RECORD_KIND_LABELS,
    SPENDING_CATEGORY_LABELS,
    TYPES,
)

# A conflict of a worker is its registration.
KIND_LABELS = RECORD_KIND_LABELS | {"worker": "Pendaftaran pekerja"}


def title(conflict) -> str:
    """ "Pendaftaran pekerja", or "Koreksi data pekerja" for a held correction."""
    if conflict.replaces:
        return f"Koreksi data {RECORD_KIND_LABELS.get(conflict.kind, conflict.kind).lower()}"
    return KIND_LABELS.get(conflict.kind, conflict.kind)


LABELS = {
    "ksm_id": "KSM",
    "kelurahan_id": "Kelurahan",
    "worker_uuid": "Pekerja",
    "worker_id": "Pekerja",
    "meeting_uuid": "Pertemuan",
    "meeting_id": "Pertemuan",
    "nik": "NIK",
    "name": "Nama",
    "gender": "Jenis kelamin",
    "birth_date": "Tanggal lahir",
    "category": "Kategori",
    "phone": "Nomor HP",
    "low_income_covid": "MBR terdampak Covid-19",
    "lost_income": "Kehilangan penghasilan",
    "breadwinner": "Kepala keluarga",
    "season": "Musim",
    "active": "Aktif",
    "inactive_from": "Nonaktif mulai",
    "inactive_reason": "Alasan nonaktif",
    "work_date": "Tanggal kerja",
    "present": "Hadir",
    "period_start": "Awal periode",
    "period_end": "Akhir periode",
    "days": "HOK dibayar",
    "daily_rate": "Upah harian",
    "amount": "Jumlah",
    "paid_on": "Tanggal bayar",
    "method": "Cara bayar",
    "reference": "Nomor referensi",
    "signature": "Tanda tangan",
    "photo": "Foto",
    "no_proof_reason": "Alasan tanpa bukti",
    "round": "Pembayaran ke-",
    "tranche": "Tahap",
    "received_on": "Tanggal diterima",
    "bank_reference": "Referensi bank",
    "spent_on": "Tanggal belanja",
    "description": "Uraian",
    "receipt_photo": "Foto kuitansi",
    # A stored row names its images by their key in the image store (storage.py).
    "signature_key": "Tanda tangan",
    "photo_key": "Foto",
    "receipt_photo_key": "Foto kuitansi",
    "type": "Jenis pertemuan",
    "programme": "Program",
    "held_on": "Tanggal pertemuan",
    "place": "Tempat",
    "team": "Tim",
    "topics": "Materi",
    "outcomes": "Hasil",
    "notes": "Catatan",
    "attendees": "Peserta",
    "photo_lat": "Lintang foto",
    "photo_lon": "Bujur foto",
    "photo_accuracy": "Akurasi lokasi (m)",
    "checked_on": "Tanggal cek",
    "setting": "Tempat cek",
    "people_present": "Orang hadir",
    "masks_worn": "Memakai masker",
    "distancing": "Jaga jarak",
    "handwash_soap": "Cuci tangan pakai sabun",
    "temperature_checked": "Suhu diperiksa",
    "temp_morning": "Suhu pagi",
    "temp_noon": "Suhu siang",
    "temp_afternoon": "Suhu sore",
    "fever_cases": "Kasus demam",
    "apd_workers": "Pekerja memakai APD",
    "recorded_at": "Dicatat di HP",
    "decision": "Keputusan",
    "reason": "Alasan",
    "work_item_id": "Item pekerjaan",
    "reported_on": "Tanggal laporan",
    "percent": "Persen selesai",
    "photo_taken_at": "Waktu foto",
    "surveyed_on": "Tanggal survei",
    "households": "Jumlah KK",
    "households_safe_water": "KK dengan air minum aman",
    "households_safe_sanitation": "KK dengan sanitasi aman",
}
# Bookkeeping no reader needs, and pictures (a card says only whether there is one).
HIDDEN = {"id", "uuid", "version", "payload_hash", "received_at", "created_by_id", "photo_accuracy"}
HIDDEN |= {"signature_size", "photo_size", "receipt_photo_size"}
PICTURES = {"signature", "photo", "receipt_photo", "signature_key", "photo_key", "receipt_photo_key"}
MONEY = {"amount", "daily_rate", "budget"}
CHOICES = {
    "gender": GENDERS,
    "category": CATEGORY_LABELS | SPENDING_CATEGORY_LABELS,
    "method": {"cash": "Tunai", "transfer": "Transfer"},
    "type": TYPES,
    "setting": {"meeting": "Pertemuan", "worksite": "Lokasi kerja"},
    "decision": {"verified": "Diverifikasi", "returned": "Dikembalikan"},
}
LIST_CHOICES = {"topics": ALL_TOPICS, "outcomes": MP2K_OUTCOMES}  # lists of codes
REFERENCES = {  # field → the table its value names
    "ksm_id": "ksm",
    "kelurahan_id": "kelurahan",
    "worker_uuid": "worker",
    "worker_id": "worker",
    "meeting_uuid": "meeting",
    "meeting_id": "meeting",
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
UNKNOWN = "(tidak dikenal)"


def readable(values: dict, names: dict, zone: str) -> list[tuple[str, str]]:
    """(label, text) per field worth reading; `names` maps (table, id or uuid) → a name."""
    rows = []
    for key, value in values.items():
        if key in HIDDEN or (value is None and key in PICTURES):
            continue
        rows.append((_label(key), _text(key, value, names, zone)))
    return rows


def _label(key) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _text(key, value, names, zone) -> str:
    """One value in the card's one style: Ya/Tidak, Rupiah, Indonesian dates in the programme's zone."""
    if key in PICTURES:
        return "Ada" if value else "Tidak ada"
    if key in REFERENCES:
        return names.get((REFERENCES[key], _id(value)), UNKNOWN) if value is not None else "–"
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if key in MONEY and isinstance(value, int):
        return rupiah(value)
    if key == "nik":
        return mask_nik(str(value)) if str(value).isdigit() else str(value)
    if key == "phone":
        return mask_phone(str(value)) if str(value).isdigit() else str(value)
    if key in CHOICES:
        return CHOICES[key].get(value, str(value))
    if key in LIST_CHOICES and isinstance(value, list):
        return "; ".join(LIST_CHOICES[key].get(code, str(code)) for code in value) or "–"
    return _time_or_text(value, zone)


def _time_or_text(value, zone) -> str:
    if isinstance(value, datetime):
        return waktu(value, zone)
    if isinstance(value, date):
        return tanggal(value, zone)
    if isinstance(value, str) and DAY.fullmatch(value):
        try:
            return tanggal(date.fromisoformat(value), zone)
        except ValueError:
            return value
    if isinstance(value, str) and DAY.match(value) and "T" in value:
        try:
            return waktu(datetime.fromisoformat(value.replace("Z", "+00:00")), zone)
        except ValueError:
            return value
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{len(value)} orang"  # a meeting's attendees
        return ", ".join(map(str, value)) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _id(value):
    return value.lower() if isinstance(value, str) else value


class Names:
    """Names of the KSMs, kelurahan, workers and meetings that a page's cards mention."""

    TABLES = {"ksm": Ksm, "kelurahan": Kelurahan, "worker": Worker, "meeting": Meeting}

    def __init__(self):
        self.names: dict = {}

    def load(self, value_sets) -> dict:
        """Look up every reference in the dicts of `value_sets` (one query per table and kind of key)."""
        wanted: dict = {}
        for values in value_sets:
            for key, table in REFERENCES.items():
                value = values.get(key)
                if isinstance(value, (int, str)) and not isinstance(value, bool):
                    column = "uuid" if key.endswith("uuid") else "id"
                    wanted.setdefault((table, column), set()).add(_id(value))
        for (table, column), keys in wanted.items():
            model = self.TABLES[table]
            if column == "id":
                keys = {k for k in keys if isinstance(k, int)}
            for row in db.session.scalars(db.select(model).where(getattr(model, column).in_(keys))):
                self.names[(table, getattr(row, column))] = _name(table, row)
        return self.names


def _name(table, row) -> str:
    if table == "kelurahan":
        return f"Kel. {row.name}"
    if table == "meeting":
        return f"{TYPES.get(row.type, row.type)}, {tanggal(row.held_on)}"
    if table == "worker":
        return f"{row.name} ({row.ksm.name})"
    return row.name


def choices(incoming: list, stored: list) -> tuple[str, str]:
    """What each button does, in the card's words: (keep the stored data, take the incoming data)."""
    old, new = dict(stored), dict(incoming)
    changed = [label for label, text in new.items() if label in old and old[label] != text][:3]
    if not changed:
        return (
            "Pertahankan data tersimpan: data dari HP tidak dipakai.",
            "Terima data baru: data dari HP menggantikan data tersimpan.",
        )
    keep = "; ".join(f"{label} tetap {old[label]}" for label in changed)
    take = "; ".join(f"{label} menjadi {new[label]}" for label in changed)
    return f"Pertahankan data tersimpan: {keep}.", f"Terima data baru: {take}."


def paid_words(paid, zone: str) -> dict:
    """A held correction of a paid day in words (`paid`: payments/queries.py::PaidCorrection): the
    payment, what accepting it leaves in rupiah, and the accept button's consequence."""
    first, last = paid.period
    payment = paid.payments[0]
    proof = (
        f"transfer, referensi {payment.reference}"
        if payment.method == "transfer"
        else "ditandatangani"
        if payment.signature_key
        else "dengan foto daftar cap jempol"
        if payment.photo_key
        else "tanpa tanda tangan atau foto"
    )
    period = f"{tanggal_pendek(first, zone)} – {tanggal_pendek(last, zone)}"
    line = paid.line
    head = (
        f"Bila diterima: HOK periode ini menjadi {line.hok} (dibayar {paid.paid_days}); "
        f"upah kini {rupiah(line.due)}, sudah dibayar {rupiah(line.paid)}"
    )
    if line.overpaid:
        effect = f"kelebihan bayar {rupiah(line.overpaid)}"
        settle = "sampai diselesaikan (pembayaran dibatalkan lalu dibayar ulang)"
    elif line.shortfall:
        effect = f"kekurangan bayar {rupiah(line.shortfall)}"
        settle = "sampai dibayar dengan pembayaran tambahan"
    else:
        effect = ""
    return {
        "payment": f"Sudah dibayar {rupiah(line.paid)} untuk {paid.paid_days} HOK periode {period}, "
        f"pada {tanggal(payment.paid_on, zone)}, {proof}.",
        "accepting": f"{head}: {effect}, tampil di daftar upah dan buku kas {settle}."
        if effect
        else f"{head}: upah periode ini tidak berubah.",
        "effect": effect,
    }


def card(conflict, stored_values: dict, names: dict, zone: str, paid=None) -> dict:
    """Everything a conflict card shows, already in words; `paid` when it holds a correction of a paid
    day (payments/queries.py::paid_correction)."""
    incoming = readable(conflict.data, names, zone)
    stored = readable(stored_values, names, zone)
    keep_existing, keep_incoming = choices(incoming, stored)
    money = paid_words(paid, zone) if paid else None
    if money and money["effect"]:
        keep_incoming = f"{keep_incoming.rstrip('.')} ({money['effect']})."
    return {
        "paid": money,
        "title": title(conflict),
        "incoming": incoming,
        "stored": stored,
        "keep_existing": keep_existing,
        "keep_incoming": keep_incoming,
        "received": waktu(conflict.received_at, zone),
        "recorded": waktu(conflict.recorded_at, zone) if conflict.recorded_at else "",
        "resolved": waktu(conflict.resolved_at, zone) if conflict.resolved_at else "",
    }


def history_words(versions, zone: str) -> list[dict]:
    """A thing's history ("riwayat", records/history.py) in the card's words, newest first: who made
    each version, when (recorded on the phone, received by the server, in the programme's zone), and
    each field it changed as (label, before, after)."""
    names = Names().load([v.data for v in versions])
    found = []
    for number, version in enumerate(versions, start=1):
        changed = [
            (_label(key), _text(key, old, names, zone), _after(key, old, new, names, zone))
            for key, old, new in version.changed
            if key not in HIDDEN
        ]
        changed = [row for row in changed if row[1] != row[2]]  # "" and None both read "–"
        found.append(
            {
                "number": number,
                "current": version.current,
                "made_by": version.made_by.full_name if version.made_by else "–",
                "recorded": waktu(version.recorded_at, zone) if version.recorded_at else "",
                "received": waktu(version.received_at, zone) if version.received_at else "",
                "changed": changed,
            }
        )
    return found[::-1]


def _after(key, old, new, names, zone) -> str:
    """A changed value; an attendance list also names who joined and who left it."""
    text = _text(key, new, names, zone)
    if key != "attendees" or not isinstance(old, list) or not isinstance(new, list):
        return text
    before, after = ([a.get("name") for a in people if isinstance(a, dict)] for people in (old, new))
    joined = [n for n in after if n not in before]
    left = [n for n in before if n not in after]
    parts = [f"{word}: {', '.join(who)}" for word, who in (("masuk", joined), ("keluar", left)) if who]
    return f"{text} ({'; '.join(parts)})" if parts else f"{text} (daftar diubah)"
