"""Physical progress and the LPJ (issue 12): the rules, the `progress` kind through the sync API,
work items, evidence photos, the LPJ pack, the weekly report, the papan informasi, export.csv."""

import base64
import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image

from kotaku_pwa import db, physical
from kotaku_pwa.models import (
    AuditLog,
    Ksm,
    Meeting,
    MeetingAttendee,
    ProgressReport,
    Spending,
    User,
    Worker,
    WorkItem,
)
from kotaku_pwa.physical import Week

from .factories import image_of, make_kelurahan, make_ksm, make_user, new_uuid


def image_bytes(kind="JPEG", size=(64, 48), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def data_url(data, mime="image/jpeg"):
    return f"data:{mime};base64," + base64.b64encode(data).decode()


JPEG_BYTES = image_bytes()
JPEG = data_url(JPEG_BYTES)
PNG_BYTES = image_bytes("PNG", (40, 20), (0, 0, 0))
PNG = data_url(PNG_BYTES, "image/png")


# --- the rules (pure functions) ----------------------------------------------------------------------


def test_a_lower_percent_needs_a_note():
    assert physical.lower_needs_note(40, 30, "") is True
    assert physical.lower_needs_note(40, 30, "   ") is True
    assert physical.lower_needs_note(40, 30, "longsor, galian ulang") is False
    assert physical.lower_needs_note(40, 40, None) is False
    assert physical.lower_needs_note(None, 0, None) is False


@pytest.mark.parametrize(
    ("previous", "percent", "asked"),
    [
        (None, 0, 0),
        (None, 30, 0),
        (None, 60, 50),
        (20, 49, None),
        (20, 50, 50),
        (45, 100, 100),
        (50, 70, None),
        (100, 100, None),
    ],
)
def test_the_photo_is_asked_for_at_a_new_milestone(previous, percent, asked):
    assert physical.milestone_asked(previous, percent) == asked


def test_weighted_percent_counts_a_missing_report_as_zero_and_rounds_half_up():
    # 300 juta at 50 % and 100 juta without a report: 150/400 = 37.5 → 38.
    assert physical.weighted_percent([(300, 50), (100, None)]) == 38
    assert physical.weighted_percent([(100, 25), (100, 50)]) == 38  # 37.5 → 38
    assert physical.weighted_percent([(0, 20), (0, 60)]) == 40  # no budgets: plain mean
    assert physical.weighted_percent([]) == 0


def test_ksm_percent_with_and_without_items():
    assert physical.ksm_percent(70, []) == 70
    assert physical.ksm_percent(None, []) == 0
    # Items weigh by planned cost; the KSM-wide report is not counted once items exist.
    assert physical.ksm_percent(90, [(3_000_000, 100), (1_000_000, None)]) == 75


def test_percent_on_a_day_reads_the_latest_report_up_to_that_day():
    reports = [(date(2021, 5, 1), None, 10), (date(2021, 5, 8), None, 40), (date(2021, 5, 8), None, 35)]
    assert physical.percent_on(date(2021, 4, 30), reports, {}) == 0
    assert physical.percent_on(date(2021, 5, 7), reports, {}) == 10
    assert physical.percent_on(date(2021, 5, 9), reports, {}) == 35  # the later of one day wins
    items = {1: 100, 2: 300}
    by_item = [(date(2021, 5, 1), 1, 100), (date(2021, 5, 3), 2, 20)]
    assert physical.percent_on(date(2021, 5, 2), by_item, items) == 25
    assert physical.percent_on(date(2021, 5, 3), by_item, items) == 40


def test_weeks_run_monday_to_sunday():
    assert physical.weeks(date(2021, 4, 15), date(2021, 4, 26)) == [
        (date(2021, 4, 12), date(2021, 4, 18)),
        (date(2021, 4, 19), date(2021, 4, 25)),
        (date(2021, 4, 26), date(2021, 5, 2)),
    ]
    assert physical.weeks(date(2021, 5, 2), date(2021, 5, 1)) == []


def test_week_rows_and_their_kelurahan_total():
    week_list = physical.weeks(date(2021, 4, 12), date(2021, 4, 25))
    attendance = [(1, "L", date(2021, 4, 12)), (1, "L", date(2021, 4, 13)), (2, "P", date(2021, 4, 20))]
    payments = [(date(2021, 4, 17), 152_000), (date(2021, 4, 24), 76_000)]
    spending = [(date(2021, 4, 13), 72_000)]
    rows = physical.week_rows(
        week_list, 1_000_000, lambda day: 10 if day.day < 20 else 30, attendance, payments, spending
    )
    assert rows == [
        Week(date(2021, 4, 12), date(2021, 4, 18), 10, 22, 2, 1, 0, 152_000),
        Week(date(2021, 4, 19), date(2021, 4, 25), 30, 30, 1, 0, 1, 76_000),
    ]
    other = [Week(w.start, w.end, 100, 0, 1, 0, 1, 0) for w in rows]
    total = physical.combine_weeks([rows, other], [1_000_000, 3_000_000])
    assert [(w.physical, w.absorbed, w.hok, w.men, w.women, w.wages_paid) for w in total] == [
        (78, 6, 3, 1, 1, 152_000),  # (10×1 + 100×3)/4 = 77.5 → 78; (22×1 + 0×3)/4 = 5.5 → 6
        (83, 8, 2, 0, 2, 76_000),
    ]


# --- the `progress` kind through /api/sync ---------------------------------------------------------


def ksm_named(name):
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()


def report(ksm_id, uuid=None, **data):
    values = {"ksm_id": ksm_id, "reported_on": "2021-05-03", "percent": 20}
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "progress",
        "recorded_at": "2021-05-03T16:00:00+08:00",
        "data": values,
    }


@pytest.fixture
def tk1(demo):
    return ksm_named("KSM Tanjung Karang 1")


def test_a_facilitator_reports_progress_with_a_located_photo(tk1, auth):
    auth.login("faskel")
    record = report(
        tk1.id,
        percent=0,
        photo=JPEG,
        photo_lat=-8.58,
        photo_lon=116.1,
        photo_taken_at="2021-05-03T08:10:00+08:00",
    )
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "created", result
    row = db.session.get(ProgressReport, result["id"])
    assert (row.percent, row.reported_on, row.photo_lat, row.photo_lon) == (0, date(2021, 5, 3), -8.58, 116.1)
    assert row.photo_taken_at.isoformat() == "2021-05-03T00:10:00"  # kept as UTC
    assert image_of(row).startswith(b"\xff\xd8\xff")
    [again] = auth.sync([record]).get_json()["results"]
    assert again["status"] == "duplicate"
    assert db.session.scalar(db.select(db.func.count(ProgressReport.id))) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"percent": 101}, "percent", "0–100"),
        ({"percent": -1}, "percent", "0–100"),
        ({"percent": "50"}, "percent", "bilangan bulat"),
        ({"photo": "data:image/jpeg;base64,aGVsbG8="}, "photo", "JPEG"),
        ({"photo": PNG}, "photo", "JPEG"),
        ({"photo": data_url(b"\xff\xd8\xff" + b"\0" * 210 * 1024)}, "photo", "terlalu besar"),
        ({"photo_lat": 91}, "photo_lat", "-90"),
        ({"photo_lon": -181}, "photo_lon", "-180"),
        ({"photo_lat": "x"}, "photo_lat", "Koordinat"),
        ({"reported_on": "2021-04-14"}, "reported_on", "sebelum KSM mulai"),
        ({"reported_on": (date.today() + timedelta(days=2)).isoformat()}, "reported_on", "masa depan"),
        ({"photo_taken_at": "kemarin"}, "photo_taken_at", "tidak dikenali"),
        ({"work_item_id": 99999}, "work_item_id", "bukan milik"),
    ],
)
def test_bad_reports_are_invalid_with_indonesian_messages_and_nothing_is_stored(
    tk1, auth, change, field, message
):
    auth.login("faskel")
    [result] = auth.sync([report(tk1.id, **change)]).get_json()["results"]
    assert result["status"] == "invalid"
    assert message in result["errors"][field], result
    assert db.session.scalar(db.select(db.func.count(ProgressReport.id))) == 0


def test_a_lower_percent_without_a_note_is_refused(tk1, auth):
    auth.login("faskel")
    assert auth.sync([report(tk1.id, percent=40)]).get_json()["results"][0]["status"] == "created"
    [lower] = auth.sync([report(tk1.id, percent=30, reported_on="2021-05-10")]).get_json()["results"]
    assert lower["status"] == "invalid"
    assert "lebih rendah dari laporan sebelumnya (40 %)" in lower["errors"]["notes"]
    # In one batch too: the second record compares with the first.
    batch = [
        report(tk1.id, percent=60, reported_on="2021-05-11"),
        report(tk1.id, percent=55, reported_on="2021-05-12"),
    ]
    assert [r["status"] for r in auth.sync(batch).get_json()["results"]] == ["created", "invalid"]
    explained = report(tk1.id, percent=55, reported_on="2021-05-12", notes="Saluran longsor, digali ulang.")
    assert auth.sync([explained]).get_json()["results"][0]["status"] == "created"


@pytest.mark.parametrize("username", ["bendahara", "askot"])
def test_only_the_facilitator_and_admin_write_progress(tk1, auth, username):
    auth.login(username)
    [result] = auth.sync([report(tk1.id)]).get_json()["results"]
    assert result["status"] == "forbidden"


def test_a_report_outside_the_facilitators_kelurahan_is_forbidden(tk1, auth):
    auth.login("faskel")
    other = ksm_named("KSM Kebon Sari 1")
    [result] = auth.sync([report(other.id)]).get_json()["results"]
    assert result["status"] == "forbidden"
    auth.logout()
    auth.login("admin")
    assert auth.sync([report(other.id)]).get_json()["results"][0]["status"] == "created"


def add_item(ksm, name="Normalisasi saluran", cost=30_000_000, volume=250):
    admin = db.session.scalars(db.select(User).filter_by(username="admin")).one()
    item = WorkItem(
        ksm_id=ksm.id, name=name, volume=volume, unit="m", planned_cost=cost, created_by_id=admin.id
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_a_ksm_with_work_items_reports_per_item(tk1, auth):
    item = add_item(tk1)
    other_item = add_item(ksm_named("KSM Tanjung Karang 2"), "Paving")
    auth.login("faskel")
    results = auth.sync(
        [report(tk1.id), report(tk1.id, work_item_id=other_item.id), report(tk1.id, work_item_id=item.id)]
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid", "created"]
    assert results[0]["errors"]["work_item_id"] == "Pilih item pekerjaan yang dilaporkan."
    assert db.session.get(ProgressReport, results[2]["id"]).work_item_id == item.id


# --- work items (the facilitator's or admin's form) ---------------------------------------------------


def test_the_facilitator_sets_work_items_with_server_side_checks_and_audit(tk1, auth, client):
    auth.login("faskel")
    url = f"/ksm/{tk1.id}/item"
    bad = auth.post(url, name="x", volume="-3", unit="km", planned_cost="1.5")
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    for message in (
        "3–200 karakter",
        "Volume harus angka",
        "Pilih satuan",
        "Biaya rencana harus rupiah bulat",
    ):
        assert message in page
    too_much = auth.post(url, name="Saluran", volume="250", unit="m", planned_cost=str(tk1.budget + 1))
    assert too_much.status_code == 400
    assert db.session.scalar(db.select(db.func.count(WorkItem.id))) == 0
    ok = auth.post(url, name="Normalisasi saluran", volume="250,5", unit="m", planned_cost="30.000.000")
    assert ok.status_code == 302
    item = db.session.scalars(db.select(WorkItem)).one()
    assert (item.ksm_id, item.volume, item.unit, item.planned_cost) == (tk1.id, 250.5, "m", 30_000_000)
    audit = db.session.scalars(db.select(AuditLog).filter_by(action="work_item_created")).one()
    assert (audit.object_id, audit.kelurahan_id) == (item.id, tk1.kelurahan_id)
    again = auth.post(url, name="normalisasi SALURAN", volume="1", unit="m", planned_cost="1000")
    assert "sudah ada" in again.get_data(as_text=True)
    assert "Normalisasi saluran" in client.get(f"/ksm/{tk1.id}/progres").get_data(as_text=True)


def test_a_work_item_without_reports_can_be_deleted_one_with_reports_cannot(tk1, auth, client):
    unused, reported = add_item(tk1, "Salah ketik").id, add_item(tk1, "Saluran").id
    auth.login("faskel")
    assert auth.sync([report(tk1.id, work_item_id=reported)]).get_json()["results"][0]["status"] == "created"
    assert auth.post(f"/ksm/{tk1.id}/item/{reported}/delete").status_code == 302
    assert "tidak dapat dihapus" in client.get(f"/ksm/{tk1.id}/item").get_data(as_text=True)
    assert auth.post(f"/ksm/{tk1.id}/item/{unused}/delete").status_code == 302
    assert [i.name for i in db.session.scalars(db.select(WorkItem))] == ["Saluran"]
    assert (
        db.session.scalars(db.select(AuditLog).filter_by(action="work_item_deleted")).one().object_id
        == unused
    )
    other = add_item(ksm_named("KSM Tanjung Karang 2"), "Paving")
    assert auth.post(f"/ksm/{tk1.id}/item/{other.id}/delete").status_code == 404  # not this KSM's
    auth.logout()
    auth.login("bendahara")
    assert auth.post(f"/ksm/{tk1.id}/item/{reported}/delete").status_code == 403
    assert db.session.scalar(db.select(db.func.count(WorkItem.id))) == 2


@pytest.mark.parametrize(
    ("username", "ksm", "status"),
    [
        ("bendahara", "KSM Tanjung Karang 1", 403),
        ("askot", "KSM Tanjung Karang 1", 403),
        ("faskel", "KSM Kebon Sari 1", 404),
    ],
)
def test_work_items_are_set_only_in_scope(demo, auth, username, ksm, status):
    auth.login(username)
    target = ksm_named(ksm)
    response = auth.post(f"/ksm/{target.id}/item", name="Saluran", volume="10", unit="m", planned_cost="1000")
    assert response.status_code == status
    assert db.session.scalar(db.select(db.func.count(WorkItem.id))) == 0


# --- evidence photos -------------------------------------------------------------------------------


def test_photos_and_thumbnails_are_served_only_in_scope(tk1, auth, client):
    auth.login("faskel")
    big = data_url(image_bytes(size=(1200, 900)))
    [result] = auth.sync([report(tk1.id, photo=big)]).get_json()["results"]
    url = f"/photos/progress/{result['id']}"
    full = client.get(url)
    assert full.status_code == 200
    assert full.mimetype == "image/jpeg"
    assert full.headers["Cache-Control"].startswith("private")
    thumb = client.get(url + "?thumb=1")
    assert thumb.status_code == 200
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 240
    assert len(thumb.data) < len(full.data)
    gallery = client.get(f"/ksm/{tk1.id}/bukti").get_data(as_text=True)
    assert url + "?thumb=1" in gallery
    assert client.get("/photos/unknown/1").status_code == 404
    for username, status in (("bendahara", 200), ("askot", 200)):
        auth.logout()
        auth.login(username)
        assert client.get(url).status_code == status
    other = make_user("bendahara", ksm=ksm_named("KSM Tanjung Karang 2"))
    auth.logout()
    auth.login(other.username, "rahasia-uji-123")
    assert client.get(url).status_code == 404
    assert client.get(url + "?thumb=1").status_code == 404


def test_thumbprint_and_receipt_photos_are_linked_and_viewable(tk1, auth, client):
    auth.login("bendahara")
    worker = db.session.scalars(db.select(Worker).filter_by(ksm_id=tk1.id).order_by(Worker.name)).first()
    spending = {
        "uuid": new_uuid(),
        "kind": "spending",
        "recorded_at": "2021-04-20T10:00:00+08:00",
        "data": {
            "ksm_id": tk1.id,
            "spent_on": "2021-04-20",
            "category": "alat",
            "description": "Cangkul",
            "amount": 150_000,
            "receipt_photo": JPEG,
        },
    }
    assert auth.sync([spending]).get_json()["results"][0]["status"] == "created"
    receipt = db.session.scalars(db.select(Spending)).one()
    assert f"/photos/receipt/{receipt.id}" in client.get(f"/payments/{tk1.id}/ledger").get_data(as_text=True)
    assert client.get(f"/photos/receipt/{receipt.id}").data == image_of(receipt, "receipt_photo")
    from tests.test_payments import payment

    paid = payment(tk1, worker, signature="", photo=JPEG)
    [result] = auth.sync([paid]).get_json()["results"]
    assert result["status"] == "created", result
    page = client.get(f"/payments/{tk1.id}/2021-04-15").get_data(as_text=True)
    assert f"/photos/payment/{result['id']}" in page
    assert client.get(f"/photos/payment/{result['id']}?thumb=1").mimetype == "image/jpeg"


# --- the LPJ pack ------------------------------------------------------------------------------------


@pytest.fixture
def lpj_ksm(app):
    """A small KSM of its own: two workers (L, P), one paid week with a signature, a thumbprint photo,
    a receipt, a meeting with its list and photo, and two progress reports (0 % with a photo, 50 %)."""
    kelurahan = make_kelurahan("Pagesangan")
    ksm = make_ksm(kelurahan, name="KSM Uji LPJ", start=date(2021, 4, 12), end=date(2021, 4, 25))
    ksm.budget = 10_000_000
    faskel = make_user("fasilitator", kelurahan=[kelurahan])
    treasurer = make_user("bendahara", ksm=ksm)
    return ksm, faskel, treasurer


def _sync_as(auth, user, records):
    auth.logout()
    auth.login(user.username, "rahasia-uji-123")
    results = auth.sync(records).get_json()["results"]
    assert all(r["status"] == "created" for r in results), results
    return results


def test_the_lpj_pack_holds_every_document_of_the_ksm(lpj_ksm, auth, client):
    from tests.factories import attendance_record, nik, worker_record

    ksm, faskel, treasurer = lpj_ksm
    ali = worker_record(ksm.id, name="Ali", nik=nik(serial=11))
    siti = worker_record(ksm.id, name="Siti", gender="P", nik=nik(gender="P", serial=12))
    meeting = {
        "uuid": new_uuid(),
        "kind": "meeting",
        "recorded_at": "2021-04-12T10:00:00+08:00",
        "data": {
            "kelurahan_id": ksm.kelurahan_id,
            "ksm_id": ksm.id,
            "type": "mp2k",
            "held_on": "2021-04-12",
            "place": "Balai RW",
            "photo": JPEG,
            "attendees": [{"name": "Pak RT", "gender": "L", "role": "warga"}],
        },
    }
    _sync_as(
        auth,
        faskel,
        [
            ali,
            siti,
            attendance_record(ksm.id, ali["uuid"], "2021-04-13"),
            attendance_record(ksm.id, ali["uuid"], "2021-04-14"),
            attendance_record(ksm.id, siti["uuid"], "2021-04-14"),
            meeting,
            report(ksm.id, reported_on="2021-04-12", percent=0, photo=JPEG),
            report(ksm.id, reported_on="2021-04-16", percent=50, notes="Separuh saluran"),
        ],
    )
    pay = {
        "uuid": new_uuid(),
        "kind": "payment",
        "recorded_at": "2021-04-19T10:00:00+08:00",
        "data": {
            "ksm_id": ksm.id,
            "worker_uuid": ali["uuid"],
            "period_start": "2021-04-12",
            "period_end": "2021-04-18",
            "days": 2,
            "daily_rate": 76000,
            "amount": 152000,
            "paid_on": "2021-04-19",
            "method": "cash",
            "signature": PNG,
            "photo": JPEG,
        },
    }
    spend = {
        "uuid": new_uuid(),
        "kind": "spending",
        "recorded_at": "2021-04-13T10:00:00+08:00",
        "data": {
            "ksm_id": ksm.id,
            "spent_on": "2021-04-13",
            "category": "apd",
            "description": "Masker",
            "amount": 48000,
            "receipt_photo": JPEG,
        },
    }
    [paid, spent] = _sync_as(auth, treasurer, [pay, spend])

    response = client.get(f"/ksm/{ksm.id}/lpj.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    pack = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(pack.namelist())
    report_0 = db.session.scalars(db.select(ProgressReport).filter_by(percent=0)).one()
    meeting_row = db.session.scalars(db.select(Meeting)).one()
    assert names == {
        "00-ringkasan.xlsx",
        "01-upah/2021-04-12-daftar-hadir.xlsx",
        "01-upah/2021-04-12-daftar-upah.xlsx",
        "01-upah/2021-04-19-daftar-hadir.xlsx",
        "01-upah/2021-04-19-daftar-upah.xlsx",
        f"01-upah/cap-jempol/2021-04-12-pembayaran-{paid['id']}.jpg",
        "02-buku-kas.xlsx",
        f"02-kuitansi/2021-04-13-belanja-{spent['id']}.jpg",
        "03-progres/laporan-progres.xlsx",
        f"03-progres/2021-04-12-0persen-{report_0.id}.jpg",
        f"04-pertemuan/2021-04-12-mp2k-{meeting_row.id}-daftar-hadir.xlsx",
        f"04-pertemuan/2021-04-12-mp2k-{meeting_row.id}-foto.jpg",
    }
    assert pack.read(f"03-progres/2021-04-12-0persen-{report_0.id}.jpg") == image_of(report_0)

    summary = dict(
        load_workbook(io.BytesIO(pack.read("00-ringkasan.xlsx"))).active.iter_rows(
            min_row=4, max_col=2, values_only=True
        )
    )
    assert summary["Anggaran (Rp)"] == 10_000_000
    assert summary["Upah dibayar (Rp)"] == 152_000
    assert summary["Penyerapan anggaran (%)"] == 2  # (152 000 + 48 000) / 10 juta
    assert summary["Porsi upah (%)"] == 76.0
    assert (summary["HOK"], summary["Pekerja laki-laki"], summary["Pekerja perempuan"]) == (3, 1, 1)
    assert summary["Progres fisik (%)"] == 50

    upah = load_workbook(io.BytesIO(pack.read("01-upah/2021-04-12-daftar-upah.xlsx"))).active
    assert len(upah._images) == 1  # Ali's drawn signature, in the signature column
    anchor = upah._images[0].anchor._from
    assert upah.cell(row=anchor.row + 1, column=2).value == "Ali"
    hadir = load_workbook(io.BytesIO(pack.read("01-upah/2021-04-12-daftar-hadir.xlsx"))).active
    assert any(row[1] == "Jumlah HOK" and row[-1] == 3 for row in hadir.iter_rows(values_only=True))
    progress = [
        r
        for r in load_workbook(io.BytesIO(pack.read("03-progres/laporan-progres.xlsx"))).active.iter_rows(
            min_row=5, values_only=True
        )
    ]
    assert [(r[2], r[3]) for r in progress] == [
        (0, None),
        (50, "Separuh saluran"),
    ]  # openpyxl reads "" as None
    listed = [
        r
        for r in load_workbook(
            io.BytesIO(pack.read(f"04-pertemuan/2021-04-12-mp2k-{meeting_row.id}-daftar-hadir.xlsx"))
        ).active.iter_rows(min_row=5, values_only=True)
    ]
    assert listed[0][1:3] == ("Pak RT", "L")
    assert db.session.scalar(db.select(db.func.count(MeetingAttendee.id))) == 1

    summary_page = client.get(f"/ksm/{ksm.id}/lpj").get_data(as_text=True)
    assert "Rp 152.000" in summary_page
    assert "50 %" in summary_page


@pytest.mark.parametrize(
    ("username", "status"), [("faskel", 200), ("bendahara", 200), ("askot", 200), ("admin", 200)]
)
def test_the_lpj_pack_of_a_ksm_outside_scope_is_404(demo, auth, client, username, status):
    auth.login(username)
    own = ksm_named("KSM Tanjung Karang 1")
    assert client.get(f"/ksm/{own.id}/lpj.zip").status_code == status
    other = ksm_named("KSM Kebon Sari 1" if username != "askot" else "KSM Tanjung Karang 2")
    expected = 200 if username in ("askot", "admin") else 404
    assert client.get(f"/ksm/{other.id}/lpj.zip").status_code == expected


# --- weekly report, papan informasi, export.csv ------------------------------------------------------


def test_weekly_report_per_ksm_and_kelurahan(tk1, auth, client):
    auth.login("faskel")
    auth.sync([report(tk1.id, reported_on="2021-04-21", percent=30)])
    page = client.get(f"/ksm/{tk1.id}/mingguan").get_data(as_text=True)
    assert "30 %" in page
    sheet = load_workbook(io.BytesIO(client.get(f"/ksm/{tk1.id}/mingguan.xlsx").data)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert rows[0][0] == 1 and rows[0][3] == 0  # the week of 12 April: before the report
    assert rows[1][3] == 30  # the week of 19 April
    assert rows[0][5] + rows[1][5] > 0  # the demo's HOK of those weeks
    kelurahan = client.get(f"/kelurahan/{tk1.kelurahan_id}/mingguan.xlsx")
    assert kelurahan.status_code == 200
    auth.logout()
    auth.login("bendahara")
    assert client.get(f"/kelurahan/{tk1.kelurahan_id}/mingguan").status_code == 403
    auth.logout()
    auth.login("faskel")
    other = ksm_named("KSM Kebon Sari 1")
    assert client.get(f"/kelurahan/{other.kelurahan_id}/mingguan").status_code == 404


def test_papan_informasi_and_its_public_page_without_personal_data(tk1, auth, client):
    auth.login("bendahara")
    board = client.get(f"/ksm/{tk1.id}/papan").get_data(as_text=True)
    assert "<svg" in board
    public_url = re.search(r'href="(http://[^"]+/papan/[^"]+)"', board).group(1)
    token = public_url.rsplit("/", 1)[1]
    assert str(tk1.id) != token and len(token) > 20
    auth.logout()
    public = client.get(f"/papan/{token}")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert tk1.name in text and "HOK" in text
    for worker in db.session.scalars(db.select(Worker).filter_by(ksm_id=tk1.id)):
        assert worker.name not in text
        assert worker.nik not in text
    for officer in (tk1.ketua, tk1.bendahara, tk1.sekretaris):
        if officer:
            assert officer not in text
    assert client.get(f"/papan/{token[:-2]}xx").status_code == 404
    assert client.get(f"/papan/{tk1.id}").status_code == 404


def test_progress_percent_in_export_csv_is_budget_weighted(demo, auth, client):
    tk1, tk2 = ksm_named("KSM Tanjung Karang 1"), ksm_named("KSM Tanjung Karang 2")
    others = db.session.scalars(db.select(Ksm).filter_by(kelurahan_id=tk1.kelurahan_id)).all()
    auth.login("faskel")
    results = auth.sync(
        [
            report(tk1.id, percent=40, reported_on="2021-05-01"),
            report(tk1.id, percent=80, reported_on="2021-05-08"),
            report(tk2.id, percent=20),
        ]
    ).get_json()["results"]
    assert {r["status"] for r in results} == {"created"}
    budgets = {k.id: k.budget for k in others}
    expected = int((budgets[tk1.id] * 80 + budgets[tk2.id] * 20) / sum(budgets.values()) + 0.5)
    from kotaku_pwa.progress.queries import progress_percent

    assert progress_percent([tk1.kelurahan_id])[tk1.kelurahan_id] == expected
    auth.logout()
    auth.login("askot")
    rows = {
        r["kelurahan"]: r
        for r in csv.DictReader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True)))
    }
    assert rows["Tanjung Karang"]["progress_percent"] == str(expected)
    assert rows["Pagutan"]["progress_percent"] == "0"


def test_progress_percent_weighs_work_items_by_cost(tk1, auth):
    first = add_item(tk1, "Saluran", cost=3_000_000)
    add_item(tk1, "Paving", cost=1_000_000)
    auth.login("faskel")
    auth.sync([report(tk1.id, work_item_id=first.id, percent=100)])
    from kotaku_pwa.progress.queries import percent_now

    assert percent_now(tk1.id) == 75


KSM_PAGES = ["progres", "bukti", "lpj", "lpj.zip", "mingguan", "mingguan.xlsx", "papan"]


@pytest.mark.parametrize("page", KSM_PAGES)
@pytest.mark.parametrize(
    ("username", "ksm", "status"),
    [
        ("faskel", "KSM Pagutan 1", 200),
        ("faskel", "KSM Kebon Sari 1", 404),
        ("bendahara", "KSM Tanjung Karang 1", 200),
        ("bendahara", "KSM Tanjung Karang 2", 404),
        ("askot", "KSM Kebon Sari 1", 200),
    ],
)
def test_every_progress_page_of_a_ksm_keeps_to_the_scope(demo, auth, client, page, username, ksm, status):
    auth.login(username)
    target = ksm_named(ksm)
    response = client.get(f"/ksm/{target.id}/{page}")
    assert response.status_code == status, (username, ksm, page)
    if status == 404:
        assert target.name.encode() not in response.data


def test_a_supervisor_of_another_kota_sees_no_progress_page(demo, auth, client):
    from tests.factories import make_kota

    other = make_ksm(make_kelurahan("Gerung", kota=make_kota("Lombok Barat")), name="KSM Gerung 1")
    db.session.commit()
    auth.login("askot")
    for page in KSM_PAGES:
        assert client.get(f"/ksm/{other.id}/{page}").status_code == 404, page
    assert client.get(f"/kelurahan/{other.kelurahan_id}/mingguan").status_code == 404


def test_thumbnails_are_small_jpegs_and_refuse_what_is_no_photo(app):
    from kotaku_pwa.progress import photos
    from kotaku_pwa.storage import store

    def thumbnail(data):
        return photos.thumbnail(store().put(data))

    small = thumbnail(image_bytes(size=(1280, 960)))
    assert Image.open(io.BytesIO(small)).size == (240, 180)
    assert thumbnail(PNG_BYTES)[:3] == b"\xff\xd8\xff"  # a PNG becomes a JPEG thumbnail
    assert thumbnail(b"\x89PNG\r\n\x1a\n<html>") is None
    bomb = io.BytesIO()
    Image.new("1", (5000, 5000)).save(bomb, "PNG")  # a few KB that decode to 25 million pixels
    assert thumbnail(bomb.getvalue()) is None
    assert photos.as_jpeg(JPEG_BYTES) == JPEG_BYTES
    assert Image.open(io.BytesIO(photos.as_jpeg(PNG_BYTES))).format == "JPEG"
