"""The dashboard's filters and sorting, read from the query string (pure functions).

A filter that cannot be understood is dropped with an Indonesian message, never an error page:
the supervisor sees every kelurahan and why the filter was ignored.
"""

from dataclasses import dataclass, field
from datetime import date

from ..stages import DFAT_STAGES, STAGES

SORTS = {
    "nama": "Nama kelurahan",
    "tahap": "Tahap",
    "hok": "HOK",
    "upah": "Upah terutang",
    "porsi": "Porsi upah",
    "prokes": "Kepatuhan prokes",
}
PROGRAMMES = ("CFW", "DFAT")
PAGE_SIZE = 25


@dataclass
class Filters:
    kecamatan_id: int | None = None
    programme: str | None = None
    start: date | None = None
    end: date | None = None
    sort: str = "nama"
    page: int = 1
    messages: list = field(default_factory=list)

    @property
    def period(self):
        """(first, last) day when a range is asked for (an open end is unbounded)."""
        if self.start is None and self.end is None:
            return None
        return (self.start or date.min, self.end or date.max)

    def query(self, **changes) -> dict:
        """The query string of these filters, with `changes` (for sort links and pages)."""
        values = {
            "kecamatan": self.kecamatan_id,
            "program": self.programme,
            "dari": self.start.isoformat() if self.start else None,
            "sampai": self.end.isoformat() if self.end else None,
            "urut": self.sort if self.sort != "nama" else None,
            "halaman": self.page if self.page != 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _day(value, label, messages):
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        messages.append(f"Tanggal {label} tidak valid ({value[:20]}): gunakan format TTTT-BB-HH.")
        return None


def parse(args, kecamatan_ids) -> Filters:
    """Filters from the query string `args` (a mapping); `kecamatan_ids` are those in scope."""
    f = Filters()
    kecamatan = (args.get("kecamatan") or "").strip()
    if kecamatan:
        if kecamatan.isdigit() and int(kecamatan) in kecamatan_ids:
            f.kecamatan_id = int(kecamatan)
        else:
            f.messages.append("Kecamatan tidak dikenal atau di luar wilayah Anda: filter diabaikan.")
    programme = (args.get("program") or "").strip().upper()
    if programme:
        if programme in PROGRAMMES:
            f.programme = programme
        else:
            f.messages.append("Program tidak dikenal (pilih CFW atau DFAT): filter program diabaikan.")
    f.start = _day(args.get("dari"), "awal", f.messages)
    f.end = _day(args.get("sampai"), "akhir", f.messages)
    if f.start and f.end and f.start > f.end:
        f.messages.append("Tanggal awal sesudah tanggal akhir: rentang tanggal diabaikan.")
        f.start = f.end = None
    sort = args.get("urut") or "nama"
    if sort in SORTS:
        f.sort = sort
    else:
        f.messages.append("Urutan tidak dikenal: diurutkan menurut nama.")
    page = args.get("halaman") or "1"
    f.page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return f


def sort_key(sort: str):
    """The key for kelurahan figures: those needing attention first, then the chosen order."""

    def key(k):
        chosen = {
            "nama": (k.name,),
            "tahap": (-_stage_rank(k), k.name),
            "hok": (-k.hok, k.name),
            "upah": (-k.outstanding, k.name),
            "porsi": (k.wage_share if k.wage_share is not None else 2, k.name),
            "prokes": (k.compliance if k.compliance is not None else 101, k.name),
        }[sort]
        return (k.kota, not k.attention, *chosen)

    return key


def _stage_rank(k):
    """How far along its own chain (CFW or DFAT) a kelurahan stands, 0 before any stage, 1 at the end."""
    if not (k.progress and k.progress.stage):
        return 0
    chain = DFAT_STAGES if k.progress.programme == "DFAT" else STAGES
    return (chain.index(k.progress.stage) + 1) / len(chain)
