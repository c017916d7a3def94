"""The programme's codes, with the Indonesian labels the forms and sheets show.

Codes are what phones send and the database keeps; labels may be reworded without touching data.
The coaching topics and MP2K outcomes are the programme's own lists (README.md glossary, "seed").
Plain Python only (no Flask, no SQLAlchemy), so the rule modules can use it.
"""

from .roles import ROLE_LABELS  # noqa: F401  (roles' labels live in the table of roles)

# --- record kinds ----------------------------------------------------------------------------------

# Each record kind in words (conflict cards, the audit trail); tests check every kind is named.
RECORD_KIND_LABELS = {
    "worker": "Pekerja",
    "attendance": "Kehadiran",
    "payment": "Pembayaran upah",
    "tranche": "Pencairan dana",
    "spending": "Belanja non-upah",
    "meeting": "Pertemuan",
    "health_check": "Cek protokol kesehatan",
    "verification": "Verifikasi periode",
    "progress": "Laporan kemajuan fisik",
    "watsan_survey": "Survei air minum dan sanitasi",
}

# --- workers and wages ------------------------------------------------------------------------------

WAGE_CATEGORIES = ("pekerja", "tukang", "mandor")
CATEGORY_LABELS = {"pekerja": "Pekerja", "tukang": "Tukang", "mandor": "Mandor"}
# A worker's eligibility evidence (eligibility.py), as the registration form asks for it.
ELIGIBILITY = {
    "low_income_covid": "MBR terdampak Covid-19, tinggal di lokasi",
    "lost_income": "Kehilangan pekerjaan/penghasilan karena Covid-19",
    "breadwinner": "Tulang punggung keluarga (bukan anak di bawah umur)",
}

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

# Each meeting type that covers topics records its own list (issue 13): sosialisasi, FGD and survei
# lokasi are the DFAT chain's meetings. Codes are unique across the lists, so a code names its list.
SOSIALISASI_TOPICS = {
    "programme_aims": "Tujuan dan sasaran program",
    "service_target": "Target layanan minimal 80 % air minum dan sanitasi",
    "stages_schedule": "Tahapan kegiatan dan jadwal",
    "community_role": "Peran masyarakat, BKM dan TIPP",
    "grant_mechanism": "Sumber dan mekanisme dana BPM",
}
FGD_TOPICS = {
    "slum_problems": "Permasalahan kumuh per indikator",
    "water_needs": "Kebutuhan air minum",
    "sanitation_needs": "Kebutuhan sanitasi (air limbah, persampahan)",
    "priorities": "Prioritas penanganan",
    "land_agreement": "Kesiapan lahan dan kesepakatan warga",
}
SURVEY_TOPICS = {
    "site_check": "Pengecekan lokasi",
    "household_water": "Akses rumah tangga ke air minum aman",
    "household_sanitation": "Akses rumah tangga ke sanitasi aman",
    "infrastructure_condition": "Kondisi prasarana (drainase, jalan, persampahan)",
    "site_mapping": "Pemetaan dan foto lokasi",
}
TOPICS_BY_TYPE = {
    "sosialisasi": SOSIALISASI_TOPICS,
    "coaching_ksm": COACHING_TOPICS,
    "mp2k": COACHING_TOPICS,
    "fgd": FGD_TOPICS,
    "survey": SURVEY_TOPICS,
}
# (what a list is called in messages, its legend on the form, its codes); a list's types share it.
TOPIC_LISTS = (
    ("Topik coaching", "Materi coaching yang disampaikan", COACHING_TOPICS),
    ("Topik sosialisasi", "Materi sosialisasi yang disampaikan", SOSIALISASI_TOPICS),
    ("Topik FGD", "Pokok bahasan FGD", FGD_TOPICS),
    ("Topik survei", "Yang diperiksa saat survei lokasi", SURVEY_TOPICS),
)
ALL_TOPICS = {code: label for _, _, topics in TOPIC_LISTS for code, label in topics.items()}


def topic_types(topics) -> tuple:
    """The meeting types that record this list of topics."""
    return tuple(kind for kind, codes in TOPICS_BY_TYPE.items() if codes is topics)


def topic_list_name(code) -> str:
    """What the list a topic code belongs to is called ("Topik coaching")."""
    return next(name for name, _, topics in TOPIC_LISTS if code in topics)


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

# --- DFAT (issue 13) ----------------------------------------------------------------------------------

TIPP_STATUSES = {"formed": "Dibentuk baru", "revitalised": "Direvitalisasi"}
# Where a TIPP member comes from (unsur); a meeting's attendee roles map onto these where they can.
TIPP_UNSUR = {
    "kelurahan": "Aparat kelurahan",
    "bkm": "BKM/LKM",
    "ksm": "KSM",
    "tokoh": "Tokoh masyarakat",
    "perempuan": "Kelompok perempuan",
    "relawan": "Relawan",
    "warga": "Warga",
    "other": "Lainnya",
}
# The KOTAKU slum indicators a location's problems are written under.
SLUM_INDICATORS = {
    "bangunan": "Bangunan gedung",
    "jalan": "Jalan lingkungan",
    "drainase": "Drainase lingkungan",
    "air_minum": "Penyediaan air minum",
    "air_limbah": "Pengelolaan air limbah",
    "persampahan": "Pengelolaan persampahan",
    "kebakaran": "Proteksi kebakaran",
}
PLAN_STATUSES = {"belum": "Belum disusun", "penyusunan": "Sedang disusun", "selesai": "Selesai / disepakati"}
SERVICE_TARGET_PERCENT = 80  # the DFAT aim: at least 80 % of households with safe water and sanitation
