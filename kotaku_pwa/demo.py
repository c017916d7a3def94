"""Demo data: Kota Mataram in 2021, its CFW and DFAT kelurahan, KSMs, and the four demo accounts.

Idempotent: everything is found by its natural key before it is created, so `flask --app app demo`
can run any number of times. The demo accounts exist only through this module.
"""

import uuid
from datetime import date, timedelta

from . import db
from .models import (
    Attendance,
    Bkm,
    DfatAssessment,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    ProgrammeYear,
    TippMember,
    TippRegister,
    User,
    WatsanSurvey,
    Worker,
)
from .sync.engine import payload_hash

PASSWORD = "kotaku-demo"
START, END = date(2021, 4, 15), date(2021, 7, 15)
CFW_BPM = 300_000_000
DFAT_BPM = 500_000_000

# kelurahan: (kecamatan, CFW coaching done (seed), DFAT location (seed), slum typology)
KELURAHAN = {
    "Tanjung Karang": ("Sekarbela", True, False, "tepi air"),
    "Pagutan": ("Mataram", True, False, "dataran rendah"),
    "Mataram Timur": ("Mataram", True, False, "dataran rendah"),
    "Karang Pule": ("Sekarbela", True, False, "dataran rendah"),
    "Ampenan Utara": ("Ampenan", True, False, "tepi air"),
    "Cakranegara Selatan": ("Cakranegara", True, False, "dataran rendah"),
    "Cakranegara Utara": ("Cakranegara", True, False, "dataran rendah"),
    "Pagesangan Barat": ("Mataram", True, False, "dataran rendah"),
    "Kebon Sari": ("Ampenan", False, True, "tepi air"),
    "Kekalik Jaya": ("Sekarbela", False, True, "dataran rendah"),
    "Sayang-Sayang": ("Cakranegara", False, True, "rawan bencana"),
    "Babakan": ("Sandubaya", False, True, "dataran rendah"),
    "Bertais": ("Sandubaya", False, True, "rawan bencana"),
    "Dasan Agung": ("Selaparang", True, False, "dataran rendah"),
    "Monjok": ("Selaparang", True, False, "dataran rendah"),
    "Pejeruk": ("Ampenan", True, False, "tepi air"),
}
KECAMATAN_CODES = {
    "Ampenan": "01",
    "Cakranegara": "02",
    "Mataram": "03",
    "Sandubaya": "04",
    "Sekarbela": "05",
    "Selaparang": "06",
}

CFW_ACTIVITIES = [
    "Pembersihan dan normalisasi drainase RT 03",
    "Perbaikan jalan lingkungan (paving) Lingkungan {lingkungan}",
    "Pemeliharaan MCK komunal dan saluran air limbah",
]
DFAT_ACTIVITIES = [
    "Pembangunan sambungan rumah air minum",
    "Pembangunan tangki septik komunal",
]
LINGKUNGAN = ["Karang Buaya", "Dasan Baru", "Gubuk Mamben", "Pondok Perasi", "Kebon Talo"]
OFFICERS = [
    ("Lalu Muhammad Saleh", "Baiq Nurul Aini", "Sri Wahyuni"),
    ("Muhammad Zaini", "Nurhayati", "Baiq Rahmawati"),
    ("Ahmad Fauzi", "Siti Aminah", "Hj. Maemunah"),
]
WORKERS = [
    ("Abdul Rahman", "L", "mandor"),
    ("Baiq Fitriani", "P", "pekerja"),
    ("Hasanuddin", "L", "tukang"),
    ("Inaq Sumiati", "P", "pekerja"),
    ("Lalu Ahmad Zulkifli", "L", "pekerja"),
    ("Muhammad Ridwan", "L", "pekerja"),
    ("Nurul Hidayati", "P", "pekerja"),
    ("Rusdi Hamdani", "L", "tukang"),
    ("Saharudin", "L", "pekerja"),
    ("Siti Zuhriah", "P", "pekerja"),
    ("Supardi", "L", "pekerja"),
    ("Zainal Abidin", "L", "pekerja"),
]

ACCOUNTS = [
    # username, full name, role, scope
    ("faskel", "Rina Marlina (Faskel)", "fasilitator", {"kelurahan": ["Tanjung Karang", "Pagutan"]}),
    ("bendahara", "Sri Wahyuni (Bendahara KSM)", "bendahara", {"ksm_of": "Tanjung Karang"}),
    ("askot", "Dedi Kurniawan (Askot Mataram)", "supervisor", {"kota": "Mataram"}),
    ("admin", "Admin Program KOTAKU", "admin", {}),
]


def get_or_create(model, defaults=None, **keys):
    row = db.session.execute(db.select(model).filter_by(**keys)).scalar_one_or_none()
    if row is None:
        row = model(**keys, **(defaults or {}))
        db.session.add(row)
        db.session.flush()
    return row


def load_demo():
    """Create whatever of the demo data is missing; return the number of demo users present."""
    kota = get_or_create(Kota, name="Mataram")
    kota.kode_wilayah = kota.kode_wilayah or "5271"  # BPS code of Kota Mataram (NIK digits 1-4)
    for year_programme in ("CFW", "DFAT"):
        get_or_create(
            ProgrammeYear,
            year=2021,
            programme=year_programme,
            defaults={"tranche_percentages": [70, 30], "wage_share_target": 70},
        )
    for index, (name, (kecamatan_name, cfw, dfat, typology)) in enumerate(KELURAHAN.items()):
        kecamatan = get_or_create(Kecamatan, kota_id=kota.id, name=kecamatan_name)
        kelurahan = get_or_create(
            Kelurahan,
            kecamatan_id=kecamatan.id,
            name=name,
            defaults={
                "cfw": cfw,
                "dfat": dfat,
                "typology": typology,
                "bpm_allocation": CFW_BPM if cfw else DFAT_BPM,
            },
        )
        get_or_create(
            Bkm, kelurahan_id=kelurahan.id, defaults={"name": f"BKM {name}", "chair": OFFICERS[index % 3][0]}
        )
        activities = CFW_ACTIVITIES if cfw else DFAT_ACTIVITIES
        for number, activity in enumerate(activities, start=1):
            ketua, sekretaris, bendahara = OFFICERS[(index + number) % 3]
            get_or_create(
                Ksm,
                kelurahan_id=kelurahan.id,
                name=f"KSM {name} {number}",
                defaults={
                    "activity": activity.format(lingkungan=LINGKUNGAN[index % len(LINGKUNGAN)]),
                    "budget": kelurahan.bpm_allocation // len(activities),
                    "programme": "CFW" if cfw else "DFAT",
                    "start_date": START,
                    "end_date": END,
                    "ketua": ketua,
                    "sekretaris": sekretaris,
                    "bendahara": bendahara,
                },
            )
    db.session.flush()
    _demo_accounts(kota)
    _demo_workers(kota)
    _demo_dfat()
    db.session.commit()
    return len(ACCOUNTS)


def _demo_accounts(kota):
    for username, full_name, role, scope in ACCOUNTS:
        user = db.session.execute(db.select(User).filter_by(username=username)).scalar_one_or_none()
        if user is not None:
            continue
        user = User(username=username, full_name=full_name, role=role)
        user.set_password(PASSWORD)
        if "kota" in scope:
            user.kota_id = kota.id
        if "kelurahan" in scope:
            user.kelurahan = [_kelurahan(name) for name in scope["kelurahan"]]
        if "ksm_of" in scope:
            user.ksm_id = _first_ksm(scope["ksm_of"]).id
        db.session.add(user)
    db.session.flush()


def _demo_workers(kota):
    """Twelve workers in the bendahara's KSM, with attendance for the first two weeks."""
    ksm = _first_ksm("Tanjung Karang")
    faskel = db.session.execute(db.select(User).filter_by(username="faskel")).scalar_one()
    for number, (name, gender, category) in enumerate(WORKERS, start=1):
        nik = _demo_nik(KECAMATAN_CODES["Sekarbela"], number, gender)
        if db.session.execute(db.select(Worker.id).filter_by(nik=nik)).first():
            continue
        worker = _record(
            Worker,
            faskel,
            ksm_id=ksm.id,
            nik=nik,
            name=name,
            gender=gender,
            category=category,
            phone=f"08123456{number:04d}",
            birth_date=date(1975 + number, number % 12 + 1, 10 + number),
            low_income_covid=True,
            lost_income=number % 2 == 0,
            breadwinner=True,
            season=START.year,
        )
        day = START
        while day < START + timedelta(days=14):
            if day.weekday() != 6:  # no work on Sundays
                _record(
                    Attendance,
                    faskel,
                    ksm_id=ksm.id,
                    worker=worker,
                    work_date=day,
                    present=(number + day.day) % 7 != 0,
                )
            day += timedelta(days=1)


def _demo_nik(kecamatan_code, number, gender):
    born = date(1975 + number, number % 12 + 1, 10 + number)
    day = born.day + (40 if gender == "P" else 0)
    return f"5271{kecamatan_code}{day:02d}{born.month:02d}{born.year % 100:02d}{9000 + number:04d}"


def _record(model, user, **values):
    """A synced row made here, not on a phone: it still gets a uuid and payload hash."""
    row = model(**values)
    row.uuid = str(uuid.uuid4())
    row.payload_hash = payload_hash(model.__tablename__, {"demo": row.uuid})
    row.created_by_id = user.id
    db.session.add(row)
    return row


def _kelurahan(name):
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


def _first_ksm(kelurahan_name):
    return (
        db.session.execute(
            db.select(Ksm).join(Kelurahan).where(Kelurahan.name == kelurahan_name).order_by(Ksm.id)
        )
        .scalars()
        .first()
    )


# --- DFAT (issue 13) ----------------------------------------------------------------------------------

# The seed's story in the five DFAT kelurahan: the TIPP formed or revitalised in all five, a baseline
# household survey in two of them. Names, dates, SK numbers and figures are illustrative.
TIPP_PEOPLE = [
    ("ketua", "L", "tokoh"),
    ("sekretaris", "P", "perempuan"),
    ("bendahara", "P", "bkm"),
    ("anggota", "L", "kelurahan"),
    ("anggota", "L", "warga"),
    ("anggota", "P", "perempuan"),
    ("anggota", "L", "relawan"),
    ("anggota", "P", "warga"),
    ("anggota", "L", "warga"),
]
TIPP_NAMES = [
    "H. Lalu Wirentanu",
    "Baiq Sri Handayani",
    "Nurul Aini",
    "Muhammad Yusuf",
    "Abdul Hakim",
    "Inaq Rahmah",
    "Lalu Gede Sukarya",
    "Hj. Siti Fatimah",
    "Zulkarnain",
]
# kelurahan: (SK date, revitalised?, baseline survey (day, households, water, sanitation) or None)
DFAT_DEMO = {
    "Kebon Sari": (date(2021, 3, 22), True, (date(2021, 4, 5), 412, 271, 198)),
    "Kekalik Jaya": (date(2021, 3, 23), False, None),
    "Sayang-Sayang": (date(2021, 3, 24), True, None),
    "Babakan": (date(2021, 3, 25), False, None),
    "Bertais": (date(2021, 3, 26), False, (date(2021, 4, 7), 356, 249, 221)),
}


def _demo_dfat():
    """A TIPP register in each DFAT kelurahan, two baseline surveys, Kebon Sari's problems and needs.

    The sosialisasi and TIPP meetings themselves are demo_story.py's (sent through the sync engine)."""
    admin = db.session.execute(db.select(User).filter_by(username="admin")).scalar_one()
    for name, (sk_date, revitalised, baseline) in DFAT_DEMO.items():
        kelurahan = _kelurahan(name)
        if (
            db.session.execute(db.select(TippRegister.id).filter_by(kelurahan_id=kelurahan.id)).first()
            is None
        ):
            db.session.add(
                TippRegister(
                    kelurahan_id=kelurahan.id,
                    status="revitalised" if revitalised else "formed",
                    sk_number=f"{10 + len(name)}/SK-TIPP/{kelurahan.id:02d}/2021",
                    sk_date=sk_date,
                )
            )
            for person, (role, gender, unsur) in zip(TIPP_NAMES, TIPP_PEOPLE, strict=True):
                db.session.add(
                    TippMember(
                        kelurahan_id=kelurahan.id,
                        name=person,
                        gender=gender,
                        role=role,
                        unsur=unsur,
                    )
                )
        if baseline:
            day, households, water, sanitation = baseline
            if (
                db.session.execute(db.select(WatsanSurvey.id).filter_by(kelurahan_id=kelurahan.id)).first()
                is None
            ):
                _record(
                    WatsanSurvey,
                    admin,
                    kelurahan_id=kelurahan.id,
                    surveyed_on=day,
                    households=households,
                    households_safe_water=water,
                    households_safe_sanitation=sanitation,
                    notes="Survei baseline (data ilustrasi).",
                )
    if db.session.execute(db.select(DfatAssessment.id)).first() is None:
        db.session.add(
            DfatAssessment(
                kelurahan_id=_kelurahan("Kebon Sari").id,
                problems={
                    "drainase": "Saluran tersumbat sampah di tepi pantai; genangan saat pasang.",
                    "air_minum": "Sebagian warga membeli air jeriken; sambungan PDAM belum merata.",
                    "air_limbah": "Banyak rumah tanpa tangki septik, buangan langsung ke saluran.",
                },
                water_needs="Sambungan rumah air minum untuk sekitar 140 rumah tangga (ilustrasi).",
                sanitation_needs="Tangki septik komunal untuk dua lingkungan tepi pantai (ilustrasi).",
                design_status="penyusunan",
                rplp_status="selesai",
            )
        )
