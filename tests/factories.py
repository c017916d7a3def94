"""Plain factory functions for tests: a place, a KSM, users of each role, valid NIKs."""

import uuid as uuidlib
from datetime import date

from kotaku_pwa import db
from kotaku_pwa.models import Kecamatan, Kelurahan, Kota, Ksm, User

PASSWORD = "rahasia-uji-123"


def make_kota(name="Mataram"):
    kota = Kota(name=name)
    db.session.add(kota)
    db.session.flush()
    return kota


def make_kelurahan(name="Tanjung Karang", kota=None, kecamatan_name="Sekarbela"):
    kota = kota or make_kota()
    kecamatan = db.session.execute(
        db.select(Kecamatan).filter_by(kota_id=kota.id, name=kecamatan_name)
    ).scalar_one_or_none() or Kecamatan(kota_id=kota.id, name=kecamatan_name)
    db.session.add(kecamatan)
    db.session.flush()
    kelurahan = Kelurahan(kecamatan_id=kecamatan.id, name=name, cfw=True, bpm_allocation=300_000_000)
    db.session.add(kelurahan)
    db.session.flush()
    return kelurahan


def make_ksm(kelurahan=None, name="KSM Uji", start=date(2021, 4, 15), end=date(2021, 7, 15), **values):
    kelurahan = kelurahan or make_kelurahan()
    ksm = Ksm(
        kelurahan_id=kelurahan.id,
        name=name,
        activity="Drainase",
        budget=100_000_000,
        start_date=start,
        end_date=end,
        **values,
    )
    db.session.add(ksm)
    db.session.flush()
    return ksm


def make_user(role, username=None, kelurahan=(), ksm=None, kota=None, active=True):
    user = User(
        username=username or f"{role}-{uuidlib.uuid4().hex[:6]}",
        full_name=f"Pengguna {role}",
        role=role,
        active=active,
        ksm_id=ksm.id if ksm else None,
        kota_id=kota.id if kota else None,
    )
    user.kelurahan = list(kelurahan)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def nik(region="527105", born=date(1985, 3, 12), gender="L", serial=1):
    """A NIK that parses: region, birth date (women: day + 40), serial."""
    day = born.day + (40 if gender == "P" else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def sync(auth, *records):
    """Sends the records through /api/sync and returns their results (the request itself must succeed)."""
    response = auth.sync(list(records))
    assert response.status_code == 200
    return response.get_json()["results"]


def new_uuid():
    return str(uuidlib.uuid4())


def worker_record(ksm_id, uuid=None, **data):
    values = {
        "ksm_id": ksm_id,
        "nik": nik(),
        "name": "Budi Santoso",
        "gender": "L",
        "category": "pekerja",
        "phone": "081234567890",
        "low_income_covid": True,
        "lost_income": False,
        "breadwinner": True,
    }
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "worker",
        "recorded_at": "2021-04-16T08:00:00+08:00",
        "data": values,
    }


def attendance_record(ksm_id, worker_uuid, work_date="2021-04-20", present=True, uuid=None):
    return {
        "uuid": uuid or new_uuid(),
        "kind": "attendance",
        "recorded_at": "2021-04-20T16:00:00+08:00",
        "data": {"ksm_id": ksm_id, "worker_uuid": worker_uuid, "work_date": work_date, "present": present},
    }


def jpeg_data_url(size=(4, 3)):
    """A real (tiny) JPEG as the phone sends it: the server decodes and re-encodes every image."""
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def image_of(row, name="photo"):
    """The bytes of a row's image (`signature`, `photo`, `receipt_photo`) from the image store, or None."""
    from kotaku_pwa.storage import store

    key = getattr(row, f"{name}_key")
    return store().get(key) if key else None
