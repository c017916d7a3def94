"""The demo's story (README.md glossary, "seed"), written through the sync engine like any phone's records.

Coaching KSM with the six topics, then MP2K with the five outcomes, in the eight coaching kelurahan
(each after a sosialisasi); sosialisasi and TIPP formation in the five DFAT kelurahan; a health check at
every meeting and on the work site; two more weeks of attendance in the treasurer's KSM, the first of
them paid, signed, with one payment reversed and paid again, and verified by the supervisor, the
second returned with a reason; and one open conflict. (The demo's first two weeks stay unpaid and
open for people trying the app, and for the browser tests.) Every record goes through `store_batch`,
so the data is valid by construction, and has a uuid made from its natural key, so loading again
finds each record stored (`duplicate`): idempotent.
"""

import math
import struct
import uuid
import zlib
from base64 import b64encode
from datetime import date, timedelta

from . import audit, db
from .models import Attendance, Kelurahan, Ksm, Payment, PaymentReversal, User, Worker
from .sync.engine import store_batch
from .vocabulary import COACHING_TOPICS, MP2K_OUTCOMES

NAMESPACE = uuid.UUID("5b0e8f8a-6c0b-4d7e-9a51-6b6f74616b75")
COACHING = (
    "Tanjung Karang",
    "Pagutan",
    "Mataram Timur",
    "Karang Pule",
    "Ampenan Utara",
    "Cakranegara Selatan",
    "Cakranegara Utara",
    "Pagesangan Barat",
)
DFAT = ("Kebon Sari", "Kekalik Jaya", "Sayang-Sayang", "Babakan", "Bertais")
PEOPLE = [
    ("Lalu Sahnan", "L", "kelurahan"),
    ("Baiq Murniati", "P", "bkm"),
    ("H. Muhammad Amin", "L", "bkm"),
    ("Nurhasanah", "P", "ksm"),
    ("Zulkarnaen", "L", "ksm"),
    ("Sri Hartini", "P", "warga"),
    ("Ahmad Junaidi", "L", "warga"),
    ("Rabiatul Adawiyah", "P", "relawan"),
    ("I Made Sudarsana", "L", "warga"),
    ("Siti Hajar", "P", "warga"),
]
TIPP_ROLES = ("ketua", "sekretaris", "bendahara", "anggota", "anggota", "anggota", "anggota")
WEEK_1 = (date(2021, 4, 29), date(2021, 5, 5))  # the KSM's third week: paid and verified
WEEK_2 = (date(2021, 5, 6), date(2021, 5, 12))  # its fourth week: returned
DISPUTED = date(2021, 5, 11)
RATES = {"pekerja": 76000, "tukang": 85000, "mandor": 95000}
RETURN_REASON = (
    "Foto daftar hadir kertas minggu ini belum dilampirkan, dan HOK Inaq Sumiati 11 Mei "
    "berbeda dengan catatan bendahara. Mohon dicek dan dilengkapi."
)


class StoryError(RuntimeError):
    """A demo record the engine refused: the story no longer matches the rules."""


def load_story():
    """Add whatever of the story is missing (the demo's places, accounts and workers must exist)."""
    users = {u.username: u for u in db.session.scalars(db.select(User))}
    if not {"faskel", "bendahara", "askot", "admin"} <= set(users):
        return
    faskel = users["faskel"]
    mine = {k.name for k in faskel.kelurahan}
    for name in COACHING:
        writer = faskel if name in mine else users["admin"]
        _send(writer, _cfw_meetings(_kelurahan(name)))
    for name in DFAT:
        _send(users["admin"], _dfat_meetings(_kelurahan(name)))
    ksm = _ksm("KSM Tanjung Karang 1")
    _send(faskel, _attendance(ksm, WEEK_1[0], WEEK_2[1]))
    _send(faskel, _worksite_checks(ksm))
    _wages(ksm, users["bendahara"])
    _send(
        users["askot"],
        [
            _verification(ksm, WEEK_1, "verified", None, "2021-05-08T10:00:00+08:00"),
            _verification(ksm, WEEK_2, "returned", RETURN_REASON, "2021-05-14T10:00:00+08:00"),
        ],
    )
    _send(users["bendahara"], [_disputed_day(ksm)], allowed=("created", "duplicate", "conflict"))


def _send(user, records, allowed=("created", "duplicate")):
    for start in range(0, len(records), 500):
        results = store_batch(records[start : start + 500], user)
        refused = [r for r in results if r["status"] not in allowed]
        if refused:
            raise StoryError(f"demo data refused for {user.username}: {refused[:3]}")


def _id(*key) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, key))))


def _record(kind, key, data, day, hour=10):
    return {
        "uuid": _id(kind, *key),
        "kind": kind,
        "recorded_at": f"{day}T{hour:02d}:00:00+08:00",
        "data": data,
    }


def _attendees(offset, count, tipp=False):
    lines = []
    for i in range(count):
        name, gender, role = PEOPLE[(offset + i) % len(PEOPLE)]
        line = {"name": name, "gender": gender, "role": "tipp" if tipp else role}
        if tipp:
            line["tipp_role"] = TIPP_ROLES[i % len(TIPP_ROLES)]
        lines.append(line)
    return lines


def _meeting(kelurahan, kind, held_on, attendees, **data):
    """A meeting and the health-protocol check at it."""
    meeting = _record(
        "meeting",
        (kelurahan.id, kind),
        {
            "kelurahan_id": kelurahan.id,
            "ksm_id": None,
            "type": kind,
            "held_on": held_on.isoformat(),
            "place": f"Kantor Lurah {kelurahan.name}",
            "topics": [],
            "outcomes": [],
            "attendees": attendees,
            "notes": "",
            **data,
        },
        held_on,
        hour=16,
    )
    check = _record(
        "health_check",
        (kelurahan.id, kind),
        {
            "kelurahan_id": kelurahan.id,
            "ksm_id": None,
            "meeting_uuid": meeting["uuid"],
            "checked_on": held_on.isoformat(),
            "setting": "meeting",
            "people_present": len(attendees),
            "masks_worn": len(attendees) - (kelurahan.id % 3 == 0),
            "distancing": True,
            "handwash_soap": True,
            "temperature_checked": True,
            "fever_cases": 0,
            "notes": "",
        },
        held_on,
        hour=16,
    )
    return [meeting, check]


def _cfw_meetings(kelurahan):
    """Sosialisasi, coaching KSM (six topics), then MP2K (five outcomes, held with the coaching topics)."""
    n = kelurahan.id
    return [
        *_meeting(kelurahan, "sosialisasi", date(2021, 4, 1), _attendees(n, 9)),
        *_meeting(
            kelurahan,
            "coaching_ksm",
            date(2021, 4, 7),
            _attendees(n + 2, 8),
            topics=list(COACHING_TOPICS),
            notes="Coaching KSM: konsep, tujuan, prinsip, teknis, pencairan dana dan LPJ.",
        ),
        *_meeting(
            kelurahan,
            "mp2k",
            date(2021, 4, 12),
            _attendees(n + 4, 10),
            topics=list(COACHING_TOPICS),
            outcomes=list(MP2K_OUTCOMES),
            notes="MP2K bersama coaching KSM; kesepakatan ditandatangani BKM dan KSM.",
        ),
    ]


def _dfat_meetings(kelurahan):
    """Sosialisasi of the DFAT pilot, then the TIPP formed (or revitalised) with its officers."""
    n = kelurahan.id
    return [
        *_meeting(kelurahan, "sosialisasi", date(2021, 5, 3), _attendees(n, 10)),
        *_meeting(
            kelurahan,
            "tipp",
            date(2021, 5, 17),
            _attendees(n + 1, 7, tipp=True),
            notes="Pembentukan TIPP: ketua, sekretaris, bendahara dan anggota disepakati.",
        ),
    ]


def _attendance(ksm, first, last):
    """The facilitator's daily lists, Monday to Saturday: most workers present, a few absent."""
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)).all()
    records, day = [], first
    while day <= last:
        if day.weekday() != 6:
            for n, worker in enumerate(workers):
                records.append(
                    _record(
                        "attendance",
                        (worker.uuid, day),
                        {
                            "ksm_id": ksm.id,
                            "worker_uuid": worker.uuid,
                            "work_date": day.isoformat(),
                            "present": (n + day.day) % 6 != 0,
                        },
                        day,
                        hour=16,
                    )
                )
        day += timedelta(days=1)
    return records


def _worksite_checks(ksm):
    """The paid week's work-site checks; one day a worker with fever was sent home."""
    records, day = [], WEEK_1[0]
    while day <= WEEK_1[1]:
        if day.weekday() != 6:
            present = db.session.scalar(
                db.select(db.func.count(Attendance.id)).where(
                    Attendance.ksm_id == ksm.id, Attendance.work_date == day, Attendance.present.is_(True)
                )
            )
            fever = 1 if day == date(2021, 5, 3) else 0
            records.append(
                _record(
                    "health_check",
                    (ksm.id, "worksite", day),
                    {
                        "kelurahan_id": ksm.kelurahan_id,
                        "ksm_id": ksm.id,
                        "meeting_uuid": None,
                        "checked_on": day.isoformat(),
                        "setting": "worksite",
                        "people_present": present,
                        "masks_worn": present,
                        "distancing": True,
                        "handwash_soap": True,
                        "temperature_checked": True,
                        "temp_morning": True,
                        "temp_noon": True,
                        "temp_afternoon": day.weekday() != 5,
                        "apd_workers": True,
                        "fever_cases": fever,
                        "notes": "1 pekerja demam (38,2 °C), dipulangkan dan diminta periksa."
                        if fever
                        else "",
                    },
                    day,
                    hour=15,
                )
            )
        day += timedelta(days=1)
    return records


def _wages(ksm, bendahara):
    """The week paid on 6 May, each worker signing; one payment short by a day is reversed and paid
    again in full (a mistake is never edited away)."""
    workers = db.session.scalars(db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)).all()
    hok = dict(
        db.session.execute(
            db.select(Attendance.worker_id, db.func.count(Attendance.id))
            .where(Attendance.ksm_id == ksm.id, Attendance.present.is_(True))
            .where(Attendance.work_date.between(*WEEK_1))
            .group_by(Attendance.worker_id)
        ).all()
    )
    paid = [w for w in workers if hok.get(w.id)]
    if not paid:
        return
    mistaken = paid[0]
    first = [_payment(ksm, w, hok[w.id] - (w is mistaken), n) for n, w in enumerate(paid)]
    _send(bendahara, first)
    wrong = db.session.execute(db.select(Payment).filter_by(uuid=first[0]["uuid"])).scalar_one()
    if wrong.reversal is None:
        db.session.add(
            PaymentReversal(
                payment_id=wrong.id,
                reason="Salah hitung: HOK 1 hari kurang dari daftar hadir.",
                created_by_id=bendahara.id,
            )
        )
        audit.log(
            "payment_reversed",
            "payment",
            wrong.id,
            ksm.kelurahan_id,
            user=bendahara,
            ksm_id=ksm.id,
            period_start=WEEK_1[0].isoformat(),
            amount=wrong.amount,
            reason="Salah hitung: HOK 1 hari kurang dari daftar hadir.",
        )
        db.session.commit()
    _send(bendahara, [_payment(ksm, mistaken, hok[mistaken.id], 99, key="again")])


def _payment(ksm, worker, days, n, key="first"):
    rate = RATES[worker.category]
    return _record(
        "payment",
        (worker.uuid, WEEK_1[0], key),
        {
            "ksm_id": ksm.id,
            "worker_uuid": worker.uuid,
            "period_start": WEEK_1[0].isoformat(),
            "period_end": WEEK_1[1].isoformat(),
            "days": days,
            "daily_rate": rate,
            "amount": days * rate,
            "paid_on": "2021-05-06",
            "method": "cash",
            "reference": "",
            "signature": signature_png(n),
        },
        "2021-05-06",
        hour=11,
    )


def _verification(ksm, period, decision, reason, recorded_at):
    return {
        "uuid": _id("verification", ksm.id, period[0], decision),
        "kind": "verification",
        "recorded_at": recorded_at,
        "data": {
            "ksm_id": ksm.id,
            "period_start": period[0].isoformat(),
            "period_end": period[1].isoformat(),
            "decision": decision,
            "reason": reason,
        },
    }


def _disputed_day(ksm):
    """The treasurer's list and the facilitator's disagree about Inaq Sumiati on 11 May."""
    worker = db.session.execute(db.select(Worker).filter_by(ksm_id=ksm.id, name="Inaq Sumiati")).scalar_one()
    stored = db.session.execute(
        db.select(Attendance).filter_by(worker_id=worker.id, work_date=date(2021, 4, 27))
    ).scalar_one()
    return _record(
        "attendance",
        (worker.uuid, "2021-04-27", "bendahara"),
        {
            "ksm_id": ksm.id,
            "worker_uuid": worker.uuid,
            "work_date": "2021-04-27",
            "present": not stored.present,
        },
        "2021-04-27",
        hour=17,
    )


def signature_png(seed: int) -> str:
    """A small signature-like scribble as a PNG data URL (a grey 160×48 image, a few hundred bytes)."""
    width, height = 160, 48
    rows = [bytearray([255] * width) for _ in range(height)]
    for x in range(10, width - 10):
        y = int(height / 2 + 12 * math.sin((x + seed * 11) / (7 + seed % 5)) * math.cos(x / 37))
        for dy in (0, 1):
            rows[min(max(y + dy, 0), height - 1)][x] = 30
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(tag, body):
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + b64encode(png).decode()


def _kelurahan(name):
    return db.session.execute(db.select(Kelurahan).filter_by(name=name)).scalar_one()


def _ksm(name):
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()
