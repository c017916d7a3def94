"""The programme's codes, with the Indonesian labels the forms and sheets show.

Codes are what phones send and the database keeps; labels may be reworded without touching data.
The coaching topics and MP2K outcomes are the programme's own lists (SPEC.md glossary, "seed").
Plain Python only (no Flask, no SQLAlchemy), so the rule modules can use it.
"""

from .roles import ROLE_LABELS  # noqa: F401  (roles' labels live in the table of roles)

# --- workers and wages ------------------------------------------------------------------------------

WAGE_CATEGORIES = ("pekerja", "tukang", "mandor")
CATEGORY_LABELS = {"pekerja": "Pekerja", "tukang": "Tukang", "mandor": "Mandor"}

PAY_PERIODS = ("daily", "weekly", "biweekly")
PERIOD_DAYS = {"daily": 1, "weekly": 7, "biweekly": 14}
# "Periode pembayaran upah: Mingguan" on the admin form; "upah mingguan" inside a sentence.
PAY_PERIOD_LABELS = {"daily": "Harian", "weekly": "Mingguan", "biweekly": "Dua mingguan"}
PERIOD_LABELS = {"daily": "harian", "weekly": "mingguan", "biweekly": "dua mingguan"}

# The KSM ledger's non-wage spending (issue 4).
SPENDING_CATEGORY_LABELS = {"alat": "Alat", "bahan": "Bahan", "apd": "APD", "lain": "Lainnya"}
SPENDING_CATEGORIES = tuple(SPENDING_CATEGORY_LABELS)

PROGRAMMES = ("CFW", "DFAT")

# --- meetings ---------------------------------------------------------------------------------------

TYPES = {
    "sosialisasi": "Sosialisasi",
    "coaching_ksm": "Coaching KSM",
    "mp2k": "MP2K (Musyawarah Pra Pelaksanaan Konstruksi)",
    "tipp": "Pertemuan TIPP",
    "fgd": "FGD (diskusi kelompok terarah)",
    "survey": "Survei",
    "ojt": "OJT (pelatihan di tempat kerja)",
    "other": "Lainnya",
}
# MP2K is often held together with coaching KSM, so both record the coaching topics covered.
TYPES_WITH_TOPICS = ("coaching_ksm", "mp2k")
TYPES_WITH_OUTCOMES = ("mp2k",)

COACHING_TOPICS = {
    "concept": "Konsep dan mekanisme CFW",
    "aims": "Tujuan CFW",
    "principles": "Prinsip: partisipatif, transparan dan akuntabel, sederhana, kualitas layak, berkelanjutan",
    "technical": "Penjelasan teknis pekerjaan",
    "funds": "Pencairan dan penggunaan dana",
    "lpj": "Penyusunan LPJ (laporan pertanggungjawaban)",
}

MP2K_OUTCOMES = {
    "tranche_socialised": "BPM CFW tahap I (70 %) tersosialisasi",
    "proposal_plan": "Proposal dan rencana kerja KSM tersusun",
    "funds_commitment": "Komitmen menggunakan dana sesuai Pedoman dan POS CFW",
    "eligible_workers": "Pekerja: MBR, terdampak Covid-19, kepala keluarga",
    "assets_maintained": "Aset infrastruktur terbangun dipelihara",
}

GENDERS = {"L": "Laki-laki", "P": "Perempuan"}

ATTENDEE_ROLES = {
    "ksm": "KSM",
    "bkm": "BKM/LKM",
    "kelurahan": "Lurah/aparat kelurahan",
    "tipp": "TIPP",
    "relawan": "Relawan",
    "warga": "Warga",
    "other": "Lainnya",
}
TIPP_ROLES = {"ketua": "Ketua", "sekretaris": "Sekretaris", "bendahara": "Bendahara", "anggota": "Anggota"}

SETTINGS = {"meeting": "Pertemuan", "worksite": "Lokasi kerja"}

MAX_ATTENDEES = 500
