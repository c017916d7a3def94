"""Wage payments through the sync API, reversals, the ledger and the LPJ sheets (issue 4)."""

import base64
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from kotaku_pwa import db
from kotaku_pwa.models import (
    AuditLog,
    Kelurahan,
    Ksm,
    Payment,
    PaymentReversal,
    Spending,
    TrancheReceipt,
    Worker,
)

from .factories import image_of, jpeg_data_url, make_user, new_uuid

PNG = (  # a 1×1 pixel
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
JPEG = jpeg_data_url()  # a real image: the server re-encodes what it stores
WEEK = ("2021-04-15", "2021-04-21")


def ksm_named(name):
    return db.session.execute(db.select(Ksm).filter_by(name=name)).scalar_one()


def worker_of(ksm, name=None):
    query = db.select(Worker).where(Worker.ksm_id == ksm.id).order_by(Worker.name)
    if name:
        query = query.where(Worker.name == name)
    return db.session.scalars(query).first()


def hok(worker, start=WEEK[0], end=WEEK[1]):
    from kotaku_pwa.models import Attendance

    return db.session.scalar(
        db.select(db.func.count(Attendance.id)).where(
            Attendance.worker_id == worker.id,
            Attendance.present.is_(True),
            Attendance.work_date.between(date.fromisoformat(start), date.fromisoformat(end)),
        )
    )


def payment(ksm, worker, days=None, rate=None, uuid=None, **data):
    days = hok(worker) if days is None else days
    rate = rate or {"pekerja": 76000, "tukang": 85000, "mandor": 95000}[worker.category]
    values = {
        "ksm_id": ksm.id,
        "worker_uuid": worker.uuid,
        "period_start": WEEK[0],
        "period_end": WEEK[1],
        "days": days,
        "daily_rate": rate,
        "amount": days * rate,
        "paid_on": "2021-04-23",
        "method": "cash",
        "reference": "",
        "signature": PNG,
    }
    values.update(data)
    return {
        "uuid": uuid or new_uuid(),
        "kind": "payment",
        "recorded_at": "2021-04-23T10:00:00+08:00",
        "data": values,
    }


@pytest.fixture
def treasurer(demo, auth):
    auth.login("bendahara")
    ksm = ksm_named("KSM Tanjung Karang 1")
    return ksm, worker_of(ksm, "Baiq Fitriani")


def test_bendahara_pays_a_worker_and_the_wage_list_shows_it(treasurer, auth, client):
    ksm, worker = treasurer
    record = payment(ksm, worker)
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "created"
    stored = db.session.get(Payment, result["id"])
    assert (stored.amount, stored.days, image_of(stored, "signature")[:4]) == (
        hok(worker) * 76000,
        hok(worker),
        b"\x89PNG",
    )
    page = client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Dibayar 23 April 2021 (tunai)" in page
    again = auth.sync([record]).get_json()["results"][0]
    assert (again["status"], again["id"]) == ("duplicate", result["id"])
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 1}, "amount"),
        ({"days": 99, "amount": 99 * 76000}, "days"),
        ({"daily_rate": 80000, "amount": 5 * 80000, "days": 5}, "daily_rate"),
        ({"daily_rate": 2_000_000, "amount": 10_000_000, "days": 5}, "daily_rate"),
        ({"amount": -380000}, "amount"),
        ({"signature": JPEG}, "signature"),
        (
            {
                "signature": "data:image/png;base64,"
                + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 210_000).decode()
            },
            "signature",
        ),
        ({"signature": "bukan gambar"}, "signature"),
        ({"method": "transfer", "reference": ""}, "reference"),
        ({"method": "giro"}, "method"),
        ({"period_end": "2021-04-14"}, "period_end"),
        ({"paid_on": "2099-01-01"}, "paid_on"),
        ({"worker_uuid": "6f1d2c1e-0000-4000-8000-000000000000"}, "worker_uuid"),
        ({"days": "lima"}, "days"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_stored(treasurer, auth, change, field):
    ksm, worker = treasurer
    [result] = auth.sync([payment(ksm, worker, **change)]).get_json()["results"]
    assert result["status"] == "invalid"
    assert field in result["errors"]
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 0


def test_a_worker_of_another_ksm_cannot_be_paid_here(treasurer, auth):
    ksm, _ = treasurer
    other = worker_of(ksm_named("KSM Tanjung Karang 1"))
    other.ksm_id = ksm_named("KSM Tanjung Karang 2").id
    db.session.commit()
    [result] = auth.sync([payment(ksm, other)]).get_json()["results"]
    assert result["status"] == "invalid" and "worker_uuid" in result["errors"]


def test_a_period_in_the_future_is_refused(demo, auth):
    today = date.today()
    kelurahan = db.session.execute(db.select(Kelurahan).filter_by(name="Pagutan")).scalar_one()
    ksm = Ksm(
        kelurahan_id=kelurahan.id,
        name="KSM Masa Depan",
        activity="Drainase",
        budget=1,
        start_date=today - timedelta(days=3),
        end_date=today + timedelta(days=60),
    )
    db.session.add(ksm)
    db.session.commit()
    make_user("bendahara", username="bendahara-baru", ksm=ksm)
    auth.login("bendahara-baru", "rahasia-uji-123")
    record = payment(ksm, worker_of(ksm_named("KSM Tanjung Karang 1")))
    record["data"].update(
        period_start=(today + timedelta(days=11)).isoformat(),
        period_end=(today + timedelta(days=17)).isoformat(),
    )
    [result] = auth.sync([record]).get_json()["results"]
    assert result["status"] == "invalid"
    assert result["errors"]["period_start"] == "Periode di masa depan."


@pytest.mark.parametrize("username", ["faskel", "askot"])
def test_only_the_treasurer_pays(demo, auth, username):
    auth.login(username)
    ksm = ksm_named("KSM Tanjung Karang 1")
    [result] = auth.sync([payment(ksm, worker_of(ksm))]).get_json()["results"]
    assert result["status"] == "forbidden"


def test_a_treasurer_cannot_pay_in_another_ksm(treasurer, auth):
    other = ksm_named("KSM Tanjung Karang 2")
    worker = worker_of(ksm_named("KSM Tanjung Karang 1"))
    [result] = auth.sync([payment(other, worker)]).get_json()["results"]
    assert result["status"] == "forbidden"


def test_two_phones_paying_the_same_worker_and_period(treasurer, auth):
    ksm, worker = treasurer
    first, second = payment(ksm, worker), payment(ksm, worker, method="transfer", reference="TRX-1")
    results = auth.sync([first, second]).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "conflict"]
    assert results[1]["existing"] == {"kind": "payment", "uuid": first["uuid"], "id": results[0]["id"]}
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 1
    changed = dict(first, data={**first["data"], "paid_on": "2021-04-24"})
    assert auth.sync([changed]).get_json()["results"][0]["status"] == "conflict"
    assert db.session.get(Payment, results[0]["id"]).paid_on == date(2021, 4, 23)


def test_an_overlapping_period_is_a_conflict(treasurer, auth):
    ksm, worker = treasurer
    auth.sync([payment(ksm, worker)])
    overlap = payment(ksm, worker, days=1, period_start="2021-04-20", period_end="2021-04-26")
    assert auth.sync([overlap]).get_json()["results"][0]["status"] == "conflict"


def test_reversal_then_a_new_payment(treasurer, auth, client):
    ksm, worker = treasurer
    [created] = auth.sync([payment(ksm, worker, days=1)]).get_json()["results"]
    assert auth.post(f"/payments/payment/{created['id']}/reverse", reason="").status_code == 400
    response = auth.post(f"/payments/payment/{created['id']}/reverse", reason="Salah hitung hari kerja")
    assert response.status_code == 302
    reversal = db.session.execute(db.select(PaymentReversal)).scalar_one()
    assert reversal.reason == "Salah hitung hari kerja"
    original = db.session.get(Payment, created["id"])
    assert original.amount == 76000 and original.days == 1  # never edited
    assert db.session.execute(db.select(AuditLog).filter_by(action="payment_reversed")).scalar_one()
    assert auth.post(f"/payments/payment/{created['id']}/reverse", reason="Lagi").status_code == 400
    [again] = auth.sync([payment(ksm, worker)]).get_json()["results"]
    assert again["status"] == "created"
    assert db.session.get(Payment, again["id"]).round == 2
    csv = client.get("/dashboard/export.csv")
    assert csv.status_code == 403  # the treasurer does not export


def test_only_the_ksm_treasurer_reverses(treasurer, auth, client):
    ksm, worker = treasurer
    [created] = auth.sync([payment(ksm, worker)]).get_json()["results"]
    auth.logout()
    auth.login("faskel")
    assert auth.post(f"/payments/payment/{created['id']}/reverse", reason="Bukan wewenang").status_code == 403
    assert db.session.scalar(db.select(db.func.count(PaymentReversal.id))) == 0


def _export_row(client, kelurahan):
    rows = client.get("/dashboard/export.csv").get_data(as_text=True).splitlines()
    header = rows[0].split(",")
    return dict(zip(header, next(r for r in rows if r.startswith(f"{kelurahan},")).split(","), strict=True))


def test_dashboard_csv_reports_wages_paid(treasurer, auth, client):
    ksm, worker = treasurer
    [created] = auth.sync([payment(ksm, worker)]).get_json()["results"]
    auth.logout()
    auth.login("askot")
    tanjung = _export_row(client, "Tanjung Karang")
    assert int(tanjung["wages_paid"]) == db.session.get(Payment, created["id"]).amount


def test_dashboard_csv_leaves_out_a_reversed_payment(treasurer, auth, client):
    ksm, worker = treasurer
    other = db.session.scalars(
        db.select(Worker).where(Worker.ksm_id == ksm.id, Worker.id != worker.id).order_by(Worker.name)
    ).first()
    [kept, reversed_] = auth.sync([payment(ksm, other, days=2), payment(ksm, worker, days=1)]).get_json()[
        "results"
    ]
    assert (kept["status"], reversed_["status"]) == ("created", "created")
    reverse = auth.post(f"/payments/payment/{reversed_['id']}/reverse", reason="Salah hitung hari kerja")
    assert reverse.status_code == 302
    auth.logout()
    auth.login("askot")
    tanjung = _export_row(client, "Tanjung Karang")
    # Only the payment still standing: 2 days of the other worker's rate, not the reversed 1 day.
    kept_amount = db.session.get(Payment, kept["id"]).amount
    assert kept_amount == 2 * {"pekerja": 76000, "tukang": 85000, "mandor": 95000}[other.category]
    assert int(tanjung["wages_paid"]) == kept_amount


def test_lpj_sheets_match_the_wage_list(treasurer, auth, client):
    ksm, worker = treasurer
    auth.sync([payment(ksm, worker)])
    upah = client.get(f"/payments/{ksm.id}/{WEEK[0]}/daftar-upah")
    html = upah.get_data(as_text=True)
    assert upah.status_code == 200 and "DAFTAR PEMBAYARAN UPAH PEKERJA" in html
    assert worker.nik not in html and worker.nik[-4:] in html
    assert "Terbilang" in html and "rupiah" in html
    assert "/signature.png" in html
    book = load_workbook(io.BytesIO(client.get(f"/payments/{ksm.id}/{WEEK[0]}/daftar-upah.xlsx").data))
    sheet = book.active
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] and isinstance(r[0], int)]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "JUMLAH")
    assert sum(r[6] for r in rows) == total[6] > 0
    assert all(r[6] == r[4] * r[5] for r in rows)
    hadir = load_workbook(
        io.BytesIO(client.get(f"/payments/{ksm.id}/{WEEK[0]}/daftar-hadir.xlsx").data)
    ).active
    hok_total = next(r for r in hadir.iter_rows(values_only=True) if r[1] == "Jumlah HOK")[-1]
    assert hok_total == total[4]
    assert client.get(f"/payments/{ksm.id}/{WEEK[0]}/daftar-lain").status_code == 404
    assert client.get(f"/payments/{ksm.id}/2021-04-16/daftar-upah").status_code == 404  # not a period start


def test_signature_image_is_scoped(treasurer, auth, client, app):
    ksm, worker = treasurer
    [created] = auth.sync([payment(ksm, worker)]).get_json()["results"]
    image = client.get(f"/payments/payment/{created['id']}/signature.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    other = make_user("bendahara", username="bendahara-lain", ksm=ksm_named("KSM Pagutan 1"))
    stranger = app.test_client()
    from .conftest import Auth

    Auth(stranger).login(other.username, "rahasia-uji-123")
    assert stranger.get(f"/payments/payment/{created['id']}/signature.png").status_code == 404


def test_ledger_balance_and_alerts(treasurer, auth, client):
    ksm, worker = treasurer
    receipt = {
        "uuid": new_uuid(),
        "kind": "tranche",
        "data": {
            "ksm_id": ksm.id,
            "tranche": 1,
            "amount": 70_000_000,
            "received_on": "2021-04-14",
            "bank_reference": "BNI-1",
        },
    }
    spend = {
        "uuid": new_uuid(),
        "kind": "spending",
        "data": {
            "ksm_id": ksm.id,
            "spent_on": "2021-04-16",
            "category": "apd",
            "description": "Masker dan sarung tangan",
            "amount": 1_500_000,
            "receipt_photo": JPEG,
        },
    }
    results = auth.sync([receipt, spend, payment(ksm, worker)]).get_json()["results"]
    assert [r["status"] for r in results] == ["created"] * 3
    assert image_of(db.session.get(Spending, results[1]["id"]), "receipt_photo").startswith(b"\xff\xd8")
    paid = db.session.get(Payment, results[2]["id"]).amount
    page = client.get(f"/payments/{ksm.id}/ledger").get_data(as_text=True)
    balance = 70_000_000 - paid - 1_500_000
    assert f"Rp {balance:,}".replace(",", ".") in page
    assert "belum dibayar lebih dari 7 hari" in page  # the rest of April is unpaid
    second = dict(receipt, uuid=new_uuid())
    assert auth.sync([second]).get_json()["results"][0]["status"] == "conflict"
    assert db.session.scalar(db.select(db.func.count(TrancheReceipt.id))) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"category": "rokok"}, "category"),
        ({"description": ""}, "description"),
        ({"spent_on": "2099-01-01"}, "spent_on"),
        ({"receipt_photo": "data:text/plain;base64,aGFsbw=="}, "receipt_photo"),
    ],
)
def test_bad_spending_is_refused(treasurer, auth, change, field):
    ksm, _ = treasurer
    data = {
        "ksm_id": ksm.id,
        "spent_on": "2021-04-16",
        "category": "alat",
        "description": "Cangkul",
        "amount": 250_000,
    }
    data.update(change)
    [result] = auth.sync([{"uuid": new_uuid(), "kind": "spending", "data": data}]).get_json()["results"]
    assert result["status"] == "invalid" and field in result["errors"]
    assert db.session.scalar(db.select(db.func.count(Spending.id))) == 0


def test_wage_list_is_read_only_for_the_facilitator(demo, auth, client):
    auth.login("faskel")
    ksm = ksm_named("KSM Tanjung Karang 1")
    page = client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Belum dibayar" in page and "data-pay" not in page
    assert client.get(f"/payments/{ksm_named('KSM Kebon Sari 1').id}/{WEEK[0]}").status_code == 404


def test_both_lpj_sheets_name_their_period_on_paper_and_in_the_workbook(treasurer, auth, client):
    ksm, _ = treasurer
    label = "Periode 15 April 2021 s.d. 21 April 2021"
    for name in ("daftar-upah", "daftar-hadir"):
        assert label in client.get(f"/payments/{ksm.id}/{WEEK[0]}/{name}").get_data(as_text=True)
        book = load_workbook(io.BytesIO(client.get(f"/payments/{ksm.id}/{WEEK[0]}/{name}.xlsx").data))
        assert [label] in [list(r[:1]) for r in book.active.iter_rows(values_only=True)]


def test_a_shortfall_is_paid_by_a_top_up_for_the_missing_days_only(treasurer, auth, client):
    # Baiq Fitriani's HOK of the week, paid one day short: the wage list shows kekurangan bayar and
    # a second payment of the same period is a top-up (next round) only within the days still due.
    ksm, worker = treasurer
    days = hok(worker)
    rate = {"pekerja": 76000, "tukang": 85000, "mandor": 95000}[worker.category]
    assert days >= 2
    [first] = auth.sync([payment(ksm, worker, days=days - 1)]).get_json()["results"]
    assert first["status"] == "created"
    page = client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)
    assert f"Kekurangan bayar Rp {rate:,}".replace(",", ".") in page
    [too_many] = auth.sync([payment(ksm, worker, days=2)]).get_json()["results"]
    assert too_many["status"] == "conflict" and too_many["existing"]["id"] == first["id"]
    [top_up] = auth.sync([payment(ksm, worker, days=1)]).get_json()["results"]
    assert top_up["status"] == "created"
    assert [p.round for p in db.session.scalars(db.select(Payment).order_by(Payment.id))] == [1, 2]
    page = client.get(f"/payments/{ksm.id}/{WEEK[0]}").get_data(as_text=True)
    assert "Kekurangan bayar" not in page and "Kelebihan bayar" not in page
    [again] = auth.sync([payment(ksm, worker, days=1)]).get_json()["results"]
    assert again["status"] == "conflict"  # fully paid: a further payment clashes
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 2
