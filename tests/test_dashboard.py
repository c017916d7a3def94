"""The dashboard's read model (kotaku_pwa/dashboard/figures.py) against a small fixture worked by
hand, and its pages and exports: scope, filters, sorting, XLSX, the home pages."""

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import literal

from kotaku_pwa import db
from kotaku_pwa.dashboard import figures
from kotaku_pwa.models import (
    Attendance,
    Conflict,
    HealthCheck,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    Meeting,
    Payment,
    PaymentReversal,
    ProgrammeYear,
    Spending,
    TrancheReceipt,
    Worker,
)
from kotaku_pwa.storage import stored
from kotaku_pwa.vocabulary import WAGE_CATEGORIES
from kotaku_pwa.wages import rates_in_force
from tests.factories import PASSWORD, make_kelurahan, make_kota, make_ksm, make_user, new_uuid, nik

TODAY = date(2021, 5, 10)  # the KSM's first week (15–21 April) ended more than 7 days ago
WEEK1 = (date(2021, 4, 15), date(2021, 4, 21))
SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 8


def _synced(user):
    return {"uuid": new_uuid(), "payload_hash": "0" * 64, "created_by_id": user.id}


def _worker(ksm, user, category, gender, serial):
    worker = Worker(
        ksm_id=ksm.id,
        nik=nik(gender=gender, serial=serial),
        name=f"Pekerja {serial}",
        gender=gender,
        birth_date=date(1985, 3, 12),
        category=category,
        season=2021,
        **_synced(user),
    )
    db.session.add(worker)
    db.session.flush()
    return worker


def _present(ksm, worker, user, *days, present=True):
    for day in days:
        db.session.add(
            Attendance(ksm_id=ksm.id, worker_id=worker.id, work_date=day, present=present, **_synced(user))
        )
    db.session.flush()


def _pay(ksm, worker, user, days, rate, signature=None, photo=None, round=1):
    payment = Payment(
        ksm_id=ksm.id,
        worker_id=worker.id,
        period_start=WEEK1[0],
        period_end=WEEK1[1],
        days=days,
        daily_rate=rate,
        amount=days * rate,
        paid_on=date(2021, 4, 23),
        method="cash",
        **stored("signature", signature),
        **stored("photo", photo),
        round=round,
        **_synced(user),
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def _reverse(payment, user):
    db.session.add(PaymentReversal(payment_id=payment.id, reason="Salah hitung", created_by_id=user.id))
    db.session.flush()


@pytest.fixture
def place(app):
    """One kelurahan, one KSM with a tukang override of 90 000, three workers, one week's work.

    HOK: pekerja Andi 3 (15, 16, 19 April), tukang Sari 2 (15, 16), mandor Budi 1 (15; absent 16).
    Due: 3 × 76 000 + 2 × 90 000 + 1 × 95 000 = 503 000 (the week 15–21 April holds all six days).
    Paid: Andi 228 000 signed; Sari 180 000 without proof, reversed, paid again with a photo;
    Budi 95 000 without proof. Paid 503 000, one payment flagged (Budi's: the reversed one is not).
    Spending 100 000, so the wage share is 503 000 / 603 000 = 83 %; tahap I received 1 000 000.
    """
    kota = make_kota()
    kelurahan = make_kelurahan(kota=kota)
    ksm = make_ksm(kelurahan, name="KSM Satu", wage_tukang=90_000)
    user = make_user("fasilitator", kelurahan=[kelurahan])
    andi = _worker(ksm, user, "pekerja", "L", 1)
    sari = _worker(ksm, user, "tukang", "P", 2)
    budi = _worker(ksm, user, "mandor", "L", 3)
    _present(ksm, andi, user, date(2021, 4, 15), date(2021, 4, 16), date(2021, 4, 19))
    _present(ksm, sari, user, date(2021, 4, 15), date(2021, 4, 16))
    _present(ksm, budi, user, date(2021, 4, 15))
    _present(ksm, budi, user, date(2021, 4, 16), present=False)
    return {"kota": kota, "kelurahan": kelurahan, "ksm": ksm, "user": user, "workers": (andi, sari, budi)}


def _paid(place):
    andi, sari, budi = place["workers"]
    ksm, user = place["ksm"], place["user"]
    _pay(ksm, andi, user, 3, 76_000, signature=SIGNATURE)
    wrong = _pay(ksm, sari, user, 2, 90_000)
    _reverse(wrong, user)
    _pay(ksm, sari, user, 2, 90_000, photo=b"\xff\xd8\xff" + b"\0" * 8, round=2)
    _pay(ksm, budi, user, 1, 95_000)
    db.session.add_all(
        [
            Spending(ksm_id=ksm.id, spent_on=date(2021, 4, 16), category="alat", description="Cangkul",
                     amount=100_000, **_synced(user)),
            TrancheReceipt(ksm_id=ksm.id, tranche=1, amount=1_000_000, received_on=date(2021, 4, 10),
                           **_synced(user)),
        ]
    )  # fmt: skip
    db.session.commit()


def _figures_of(place, period=None):
    return figures.kelurahan_figures([place["kelurahan"].id], TODAY, period)[0]


def test_figures_worked_by_hand(place):
    _paid(place)
    k = _figures_of(place)
    assert (k.workers, k.women, k.women_percent) == (3, 1, 33)
    assert k.hok == 6
    assert k.wages_due == 503_000
    assert k.wages_paid == 503_000
    assert k.outstanding == 0 and k.late == 0
    assert k.payments_flagged == 1
    assert (k.received, k.spent, k.absorbed) == (1_000_000, 100_000, 603_000)
    assert k.wage_share_percent == 83
    assert k.target == 70
    assert k.attention == []
    [f] = k.ksms
    assert f.periods[0] == (*WEEK1, 503_000, 503_000, 0)
    assert f.hok_by_period == {WEEK1[0]: 6}
    days = figures.ksm_days(f.id)
    assert [(d, n) for d, n, _ in days] == [
        (date(2021, 4, 15), 3),
        (date(2021, 4, 16), 2),
        (date(2021, 4, 19), 1),
    ]
    assert days[0][2] == 76_000 + 90_000 + 95_000


def test_hok_per_pay_period_reads_the_same_from_both_rollups(place):
    """Without a date range the figures read hok_period; with one, hok_daily's days: an unbounded
    range gives the same HOK and wages due per KSM pay period (three categories, an override, a
    second week, a biweekly KSM beside a weekly one)."""
    other = make_ksm(place["kelurahan"], name="KSM Dua", pay_period="biweekly")
    andi = place["workers"][0]
    _present(place["ksm"], andi, place["user"], date(2021, 4, 22), date(2021, 4, 29))
    worker = _worker(other, place["user"], "tukang", "P", 4)
    _present(other, worker, place["user"], date(2021, 4, 15), date(2021, 4, 28), date(2021, 4, 29))
    db.session.commit()
    ids = [place["kelurahan"].id]
    kept = sorted(figures.hok_by_period(ids))
    assert kept == sorted(figures.hok_by_period(ids, (date.min, date.max)))
    tukang = place["kota"].wage_tukang  # KSM Dua keeps its kota's rate
    assert [row[1:] for row in kept if row[0] == other.id] == [
        (date(2021, 4, 15), 2, 2 * tukang),  # 15–28 April
        (date(2021, 4, 29), 1, tukang),
    ]
    assert [row[1:] for row in kept if row[0] == place["ksm"].id] == [
        (date(2021, 4, 15), 6, 503_000),
        (date(2021, 4, 22), 1, 76_000),
        (date(2021, 4, 29), 1, 76_000),
    ]


def test_unpaid_week_is_late_and_needs_attention(place):
    db.session.commit()
    k = _figures_of(place)
    assert k.wages_paid == 0
    assert k.outstanding == 503_000
    assert (k.late, k.late_periods) == (503_000, 1)
    assert k.attention == ["Upah terlambat dibayar (1 periode)"]
    # On 28 April the week ended only 7 days ago: owed, not yet late.
    early = figures.kelurahan_figures([place["kelurahan"].id], date(2021, 4, 28))[0]
    assert (early.outstanding, early.late) == (503_000, 0)


def test_a_reversal_takes_the_payment_out(place):
    andi = place["workers"][0]
    payment = _pay(place["ksm"], andi, place["user"], 3, 76_000)
    db.session.commit()
    assert (_figures_of(place).wages_paid, _figures_of(place).payments_flagged) == (228_000, 1)
    _reverse(payment, place["user"])
    db.session.commit()
    k = _figures_of(place)
    assert (k.wages_paid, k.payments_flagged, k.outstanding) == (0, 0, 503_000)


def test_date_range_narrows_hok_and_money(place):
    _paid(place)
    k = _figures_of(place, (date(2021, 4, 16), date(2021, 4, 30)))
    assert k.hok == 3  # Andi 16 and 19, Sari 16
    assert k.wages_due == 2 * 76_000 + 90_000
    assert k.wages_paid == 0  # the payments are for the week starting 15 April, outside the range


def test_compliance_conflicts_and_facilitator_sync(place):
    kelurahan, user = place["kelurahan"], place["user"]
    check = {
        "kelurahan_id": kelurahan.id,
        "ksm_id": place["ksm"].id,
        "setting": "meeting",
        "people_present": 10,
    }
    # 100 %: everybody masked, distancing, soap, temperature. 50 %: half masked, no distancing, soap, no temp.
    db.session.add_all(
        [
            HealthCheck(**check, checked_on=date(2021, 4, 15), masks_worn=10, distancing=True,
                        handwash_soap=True, temperature_checked=True, **_synced(user)),
            HealthCheck(**check, checked_on=date(2021, 4, 16), masks_worn=5, distancing=False,
                        handwash_soap=True, temperature_checked=False, **_synced(user)),
            HealthCheck(**check, checked_on=date(2021, 4, 17), masks_worn=5, distancing=False,
                        handwash_soap=True, temperature_checked=False, **_synced(user)),
        ]
    )  # fmt: skip
    db.session.add(
        Conflict(uuid=new_uuid(), kind="attendance", data={}, payload_hash="1" * 64, created_by_id=user.id,
                 kelurahan_id=kelurahan.id, reason="x", existing_kind="attendance", existing_uuid=new_uuid(),
                 existing_id=1)
    )  # fmt: skip
    user.last_sync_at = datetime(2021, 4, 20, 9, 0)
    db.session.commit()
    k = _figures_of(place)
    # 100 %, then twice masks 0.5 + distancing 0 + soap 1 + temperature 0 = 1.5 / 4 → 38 %: mean 59 %.
    assert sorted(k.checks) == [38, 38, 100]
    assert k.compliance == 59
    assert k.health_checks == 3
    assert k.open_conflicts == 1
    assert k.facilitators == [(user.full_name, user.last_sync_at)]
    assert k.attention == [
        "Upah terlambat dibayar (1 periode)",
        "1 konflik data terbuka",
        "Kepatuhan protokol kesehatan rendah (59%)",
    ]


def test_wage_share_target_comes_from_the_programme_year(place):
    db.session.add(ProgrammeYear(year=2021, programme="CFW", wage_share_target=65))
    db.session.commit()
    assert _figures_of(place).target == 65


def test_stage_counts_an_mp2k_with_coaching_topics(place):
    user, kelurahan = place["user"], place["kelurahan"]
    for kind, topics in (("sosialisasi", []), ("mp2k", ["concept", "funds"])):
        db.session.add(
            Meeting(kelurahan_id=kelurahan.id, type=kind, programme="CFW", held_on=date(2021, 4, 1),
                    place="Balai", topics=topics, **_synced(user))
        )  # fmt: skip
    db.session.commit()
    progress = _figures_of(place).progress
    assert progress.done["coaching_ksm"] and progress.done["mp2k"]
    assert progress.stage == "works"  # HOK recorded


# --- The rules kept in one place ------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{}, {"wage_tukang": 90_000}, {"wage_pekerja": 70_000, "wage_mandor": 120_000}],
)
def test_rate_in_force_in_sql_agrees_with_python(app, overrides):
    kota = make_kota()
    kota.wage_pekerja, kota.wage_tukang, kota.wage_mandor = 80_000, 88_000, 99_000
    ksm = make_ksm(make_kelurahan(kota=kota), **overrides)
    db.session.flush()
    sql = {
        c: db.session.scalar(
            db.select(figures.rate_in_force_sql(literal(c)))
            .select_from(Ksm)
            .join(Kelurahan, Ksm.kelurahan_id == Kelurahan.id)
            .join(Kecamatan, Kelurahan.kecamatan_id == Kecamatan.id)
            .join(Kota, Kecamatan.kota_id == Kota.id)
            .where(Ksm.id == ksm.id)
        )
        for c in WAGE_CATEGORIES
    }
    assert sql == rates_in_force(kota.wage_rates(), ksm.wage_overrides())


@pytest.mark.parametrize("cfw, dfat", [(True, False), (False, True), (True, True)])
def test_programme_in_sql_agrees_with_python(app, cfw, dfat):
    kelurahan = make_kelurahan()
    kelurahan.cfw, kelurahan.dfat = cfw, dfat
    db.session.flush()
    sql = db.session.scalar(db.select(figures.programme_sql()).where(Kelurahan.id == kelurahan.id))
    assert sql == figures.programme_of(cfw, dfat) == ("CFW" if cfw else "DFAT")


# --- Pages, scope and exports ------------------------------------------------------------------


def _login(client, user):
    token = client.get("/api/csrf").get_json()["csrf_token"]
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.fixture
def two_kota(place):
    """The fixture's kota with its supervisor, and another kota with a kelurahan and its supervisor."""
    _paid(place)
    other = make_kota("Lombok Barat")
    gerung = make_kelurahan("Gerung", kota=other, kecamatan_name="Gerung")
    other_ksm = make_ksm(gerung, name="KSM Gerung")
    return {
        **place,
        "supervisor": make_user("supervisor", kota=place["kota"]),
        "other_supervisor": make_user("supervisor", kota=other),
        "gerung": gerung,
        "other_ksm": other_ksm,
    }


def test_supervisor_sees_their_kota_only(two_kota, client):
    _login(client, two_kota["other_supervisor"])
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Gerung" in page and "Tanjung Karang" not in page
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True))))
    assert [r["kelurahan"] for r in rows] == ["Gerung"]
    book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").data))
    assert "Tanjung Karang" not in [c.value for row in book.active.iter_rows() for c in row]
    assert client.get(f"/dashboard/kelurahan/{two_kota['kelurahan'].id}").status_code == 404
    assert client.get(f"/dashboard/ksm/{two_kota['ksm'].id}").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "Tanjung Karang" not in home and "Gerung" in home


@pytest.mark.parametrize("role", ["fasilitator", "bendahara"])
def test_field_roles_may_not_open_the_dashboard(two_kota, client, role):
    user = make_user(role, kelurahan=[two_kota["kelurahan"]], ksm=two_kota["ksm"])
    _login(client, user)
    for url in (
        "/dashboard/",
        f"/dashboard/kelurahan/{two_kota['kelurahan'].id}",
        f"/dashboard/ksm/{two_kota['ksm'].id}",
        "/dashboard/export.csv",
        "/dashboard/export.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_dashboard_rows_link_and_show_the_figures(two_kota, client):
    _login(client, two_kota["supervisor"])
    page = client.get("/dashboard/").get_data(as_text=True)
    kelurahan = two_kota["kelurahan"]
    assert f'href="/dashboard/kelurahan/{kelurahan.id}"' in page
    assert "Rp 503.000" in page  # due and paid
    assert "83%" in page  # wage share
    assert "<svg" in page and 'style="' not in page and "<script>" not in page
    detail = client.get(f"/dashboard/kelurahan/{kelurahan.id}").get_data(as_text=True)
    assert f'href="/dashboard/ksm/{two_kota["ksm"].id}"' in detail and "KSM Satu" in detail
    ksm_page = client.get(f"/dashboard/ksm/{two_kota['ksm'].id}").get_data(as_text=True)
    assert "Tanpa bukti" in ksm_page  # Budi's payment
    assert "Lunas" in ksm_page  # the first week
    assert "Pembayaran dibatalkan: 1" in ksm_page
    home = client.get("/").get_data(as_text=True)
    assert f'href="/dashboard/kelurahan/{kelurahan.id}"' in home


def test_admin_sees_every_kota_grouped(two_kota, client):
    _login(client, make_user("admin"))
    page = client.get("/dashboard/").get_data(as_text=True)
    page = page[page.index('<ul class="list kel-list">') :]  # the rows, after the filters and charts
    assert page.index("Lombok Barat") < page.index("Gerung")
    assert page.index("Mataram") < page.index("Tanjung Karang")


@pytest.mark.parametrize(
    "query, message",
    [
        ("kecamatan=999", "Kecamatan tidak dikenal"),
        ("kecamatan=abc", "Kecamatan tidak dikenal"),
        ("program=XYZ", "Program tidak dikenal"),
        ("dari=2021-02-30", "Tanggal awal tidak valid"),
        ("sampai=kemarin", "Tanggal akhir tidak valid"),
        ("dari=2021-05-01&sampai=2021-04-01", "Tanggal awal sesudah tanggal akhir"),
        ("urut=%3Cscript%3E", "Urutan tidak dikenal"),
    ],
)
def test_bad_filters_get_a_message_never_an_error(two_kota, client, query, message):
    _login(client, two_kota["supervisor"])
    for url in ("/dashboard/", f"/dashboard/kelurahan/{two_kota['kelurahan'].id}"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert client.get(f"/dashboard/export.csv?{query}").status_code == 200
    assert client.get(f"/dashboard/export.xlsx?{query}").status_code == 200


def test_another_kotas_kecamatan_is_unknown(two_kota, client):
    _login(client, two_kota["supervisor"])
    other = two_kota["gerung"].kecamatan_id
    assert "Kecamatan tidak dikenal" in client.get(f"/dashboard/?kecamatan={other}").get_data(as_text=True)


def test_filters_narrow_the_rows(two_kota, client):
    kota = two_kota["kota"]
    second = make_kelurahan("Pagutan", kota=kota, kecamatan_name="Mataram")
    second.cfw, second.dfat = False, True
    db.session.commit()
    _login(client, two_kota["supervisor"])

    def names(query):
        text = client.get(f"/dashboard/export.csv?{query}").get_data(as_text=True)
        return [r["kelurahan"] for r in csv.DictReader(io.StringIO(text))]

    assert names("") == ["Pagutan", "Tanjung Karang"]
    assert names(f"kecamatan={second.kecamatan_id}") == ["Pagutan"]
    assert names("program=DFAT") == ["Pagutan"]
    assert names("program=cfw") == ["Tanjung Karang"]
    one_day = client.get("/dashboard/export.csv?dari=2021-04-19&sampai=2021-04-19").get_data(as_text=True)
    hok = {r["kelurahan"]: r["hok"] for r in csv.DictReader(io.StringIO(one_day))}
    assert hok["Tanjung Karang"] == "1"


def test_attention_comes_first(two_kota, client):
    kota = two_kota["kota"]
    make_ksm(make_kelurahan("Ampenan", kota=kota), name="KSM Ampenan")  # nothing recorded
    late = make_kelurahan("Zebra", kota=kota)
    ksm = make_ksm(late, name="KSM Zebra")
    worker = _worker(ksm, two_kota["user"], "pekerja", "L", 9)
    _present(ksm, worker, two_kota["user"], date(2021, 4, 15))
    db.session.commit()
    _login(client, two_kota["supervisor"])
    page = client.get("/dashboard/").get_data(as_text=True)
    # Zebra (late wages, today is long after April 2021) before Ampenan and Tanjung Karang.
    order = [m for m in re.findall(r">(Zebra|Ampenan|Tanjung Karang)</a>", page)]
    assert order[:3] == ["Zebra", "Ampenan", "Tanjung Karang"]
    by_hok = client.get("/dashboard/?urut=hok").get_data(as_text=True)
    assert re.findall(r">(Zebra|Ampenan|Tanjung Karang)</a>", by_hok)[:3] == [
        "Zebra",
        "Tanjung Karang",
        "Ampenan",
    ]


def test_csv_carries_the_spec_columns(two_kota, client):
    _login(client, two_kota["supervisor"])
    text = client.get("/dashboard/export.csv").get_data(as_text=True)
    header = text.splitlines()[0].split(",")
    assert header[
        :9
    ] == "kelurahan,ksm,workers,women_workers,hok,wages_due,wages_paid,meetings,health_checks".split(",")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["payments_flagged"] == "1"
    assert row["wages_paid"] == row["wages_due"] == "503000"
    owned = ("wages_overpaid", "progress_percent", "verified_periods", "returned_periods")
    assert [row[column] for column in owned] == ["0", "0", "0", "0"]
    assert row["water_access_percent"] == row["sanitation_access_percent"] == ""


def test_xlsx_has_indonesian_headers_money_formats_and_a_print_area(two_kota, client):
    _login(client, two_kota["supervisor"])
    response = client.get("/dashboard/export.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[4]]
    assert header[:5] == ["Kota", "Kecamatan", "Kelurahan", "Program", "Tahap"]
    assert "Upah dibayar" in header and "Porsi upah" in header
    row = [c for c in sheet[5]]
    paid = row[header.index("Upah dibayar")]
    assert paid.value == 503_000 and paid.number_format == '"Rp" #,##0'
    share = row[header.index("Porsi upah")]
    assert round(share.value, 2) == 0.83 and share.number_format == "0%"
    assert sheet.print_area and "$A$1" in sheet.print_area
    assert sheet.page_setup.orientation == "landscape"


def test_names_that_look_like_formulas_stay_text(two_kota, client):
    two_kota["kelurahan"].name = "=HYPERLINK(1)"
    db.session.commit()
    _login(client, two_kota["supervisor"])
    text = client.get("/dashboard/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text
    sheet = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx").data)).active
    assert sheet.cell(row=5, column=3).value == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "pay_period, expected", [("weekly", [6, 1, 1]), ("biweekly", [7, 1]), ("daily", None)]
)
def test_hok_and_wages_fall_in_their_pay_period(place, pay_period, expected):
    ksm, andi = place["ksm"], place["workers"][0]
    ksm.pay_period = pay_period
    _present(ksm, andi, place["user"], date(2021, 4, 22), date(2021, 4, 29))
    db.session.commit()
    [f] = _figures_of(place).ksms
    if expected is None:  # one period per day: as many as the days worked
        expected = [3, 2, 1, 1, 1]
    assert [f.hok_by_period[start] for start in sorted(f.hok_by_period)] == expected
    assert all(start in [p[0] for p in f.periods] for start in f.hok_by_period)
    assert sum(p[2] for p in f.periods) == f.wages_due == 503_000 + 2 * 76_000


def test_chart_numbers_are_also_in_tables(two_kota, client):
    _login(client, two_kota["supervisor"])
    for url in ("/dashboard/", f"/dashboard/kelurahan/{two_kota['kelurahan'].id}"):
        page = client.get(url).get_data(as_text=True)
        tables = page[page.index("Angka HOK per hari dan upah per minggu") :]
        # The week of Monday 12 April holds all six days: paid and due Rp 503.000; 15 April: 3 HOK.
        money = r'<td class="num">Rp 503\.000</td>'
        assert re.search(r"<td>12/04</td>" + money + money, tables)
        assert re.search(r"<td>15/04</td><td class=\"num\">3</td>", tables)
