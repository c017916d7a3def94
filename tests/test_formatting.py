"""How money, dates, NIK and phone numbers are shown (kotaku_pwa/formatting.py)."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa.formatting import mask_nik, mask_phone, rupiah, tanggal, tanggal_pendek

BULLET = "•"


# --- rupiah -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "Rp 0"),
        (None, "Rp 0"),
        (5, "Rp 5"),
        (999, "Rp 999"),
        (1000, "Rp 1.000"),
        (76000, "Rp 76.000"),
        (1250000, "Rp 1.250.000"),
        (300_000_000, "Rp 300.000.000"),
        (1_000_000_000_000, "Rp 1.000.000.000.000"),
        (-1, "-Rp 1"),
        (-76000, "-Rp 76.000"),
        (-1250000, "-Rp 1.250.000"),
        ("1250000", "Rp 1.250.000"),
    ],
)
def test_rupiah(amount, shown):
    assert rupiah(amount) == shown


def _parse_rupiah(text):
    match = re.fullmatch(r"(-?)Rp (\d{1,3}(?:\.\d{3})*)", text)
    assert match, text
    return int(match.group(2).replace(".", "")) * (-1 if match.group(1) else 1)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_rupiah_round_trips_the_digits(amount):
    shown = rupiah(amount)
    assert _parse_rupiah(shown) == amount
    # Grouping by thousands with dots, never commas or decimals.
    assert "," not in shown
    assert shown.startswith("-Rp " if amount < 0 else "Rp ")


# --- tanggal ----------------------------------------------------------------------------------------

# 12 April 2021 is a Monday; the week that follows covers every day name.
WEEK = [
    (date(2021, 4, 12), "Senin, 12 April 2021"),
    (date(2021, 4, 13), "Selasa, 13 April 2021"),
    (date(2021, 4, 14), "Rabu, 14 April 2021"),
    (date(2021, 4, 15), "Kamis, 15 April 2021"),
    (date(2021, 4, 16), "Jumat, 16 April 2021"),
    (date(2021, 4, 17), "Sabtu, 17 April 2021"),
    (date(2021, 4, 18), "Minggu, 18 April 2021"),
]


@pytest.mark.parametrize(("day", "shown"), WEEK)
def test_tanggal_every_weekday(day, shown):
    assert tanggal(day) == shown


def test_tanggal_accepts_a_datetime():
    assert tanggal(datetime(2021, 4, 12, 8, 3, 11)) == "Senin, 12 April 2021"


# Stored times are naive UTC (models.py); people read dates in Mataram, UTC+8 (WITA).
@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2021, 4, 12, 23, 30), "Selasa, 13 April 2021"),  # 07:30 WITA the next morning
        (datetime(2021, 4, 12, 15, 59), "Senin, 12 April 2021"),  # 23:59 WITA
        (datetime(2021, 4, 12, 16, 0), "Selasa, 13 April 2021"),  # midnight WITA
        (datetime(2021, 4, 12, 23, 30, tzinfo=UTC), "Selasa, 13 April 2021"),
        (datetime(2021, 4, 13, 7, 30, tzinfo=timezone(timedelta(hours=8))), "Selasa, 13 April 2021"),
        (datetime(2021, 12, 31, 20, 0), "Sabtu, 1 Januari 2022"),
    ],
)
def test_stored_utc_times_show_the_local_date(moment, shown):
    assert tanggal(moment) == shown
    assert tanggal_pendek(moment) == shown.split(", ")[1]


def test_local_date_follows_the_given_timezone():
    assert tanggal_pendek(datetime(2021, 4, 12, 16, 30), "Asia/Jakarta") == "12 April 2021"  # UTC+7 (WIB)
    assert tanggal_pendek(datetime(2021, 4, 12, 17, 0), "Asia/Jakarta") == "13 April 2021"


def test_local_date_follows_the_configured_timezone(app, monkeypatch):
    monkeypatch.setitem(app.config, "TIMEZONE", "Asia/Jakarta")  # UTC+7 (WIB)
    shown = app.jinja_env.from_string("{{ t|tanggal_pendek }}/{{ t|tanggal }}")
    assert shown.render(t=datetime(2021, 4, 12, 16, 30)) == "12 April 2021/Senin, 12 April 2021"
    assert shown.render(t=datetime(2021, 4, 12, 17, 0)) == "13 April 2021/Selasa, 13 April 2021"


MONTHS = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


@pytest.mark.parametrize("month", range(1, 13))
def test_tanggal_pendek_every_month(month):
    assert tanggal_pendek(date(2021, month, 1)) == f"1 {MONTHS[month - 1]} 2021"


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2021, 4, 12), "12 April 2021"),
        (date(2021, 7, 5), "5 Juli 2021"),  # no leading zero
        (date(2020, 2, 29), "29 Februari 2020"),
        (date(2021, 12, 31), "31 Desember 2021"),
        (datetime(2021, 8, 17, 9, 0), "17 Agustus 2021"),
    ],
)
def test_tanggal_pendek(day, shown):
    assert tanggal_pendek(day) == shown


def test_empty_dates_show_nothing():
    assert tanggal(None) == ""
    assert tanggal_pendek(None) == ""


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_tanggal_is_day_name_then_short_date(day):
    names = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    assert tanggal(day) == f"{names[day.weekday()]}, {tanggal_pendek(day)}"
    # A week later has the same day name, the next day a different one.
    if day < date(2100, 12, 20):
        assert tanggal(day + timedelta(days=7)).split(",")[0] == tanggal(day).split(",")[0]
        assert tanggal(day + timedelta(days=1)).split(",")[0] != tanggal(day).split(",")[0]


# --- mask_nik and mask_phone ------------------------------------------------------------------------


def test_mask_nik_example():
    assert mask_nik("5271011203850003") == "5271••••••••0003"


@pytest.mark.parametrize(
    ("value", "shown"), [(None, ""), ("", ""), ("1234", "••••"), ("12345678", "••••••••")]
)
def test_mask_nik_short_or_empty(value, shown):
    assert mask_nik(value) == shown


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_mask_nik_never_reveals_digits_5_to_12(nik):
    shown = mask_nik(nik)
    assert len(shown) == 16
    assert shown[:4] == nik[:4]
    assert shown[4:12] == BULLET * 8
    assert shown[12:] == nik[12:]
    # The birth date (digits 7–12) appears nowhere in what is shown.
    assert sum(c.isdigit() for c in shown) == 8


@given(st.text(alphabet="0123456789", max_size=24))
def test_mask_nik_shows_at_most_eight_digits(value):
    shown = mask_nik(value)
    assert len(shown) == len(value)
    # Short values are hidden entirely; longer ones show only the first and last four digits.
    assert sum(c.isdigit() for c in shown) == (8 if len(value) > 8 else 0)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("081234567890", "0812••••7890"),
        ("+6281234567890", "+628••••••7890"),
        ("081234567", "0812•4567"),
        ("12345678", "••••••••"),
        ("0812", "••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, shown):
    assert mask_phone(value) == shown


@given(st.text(alphabet="0123456789", min_size=9, max_size=15))
def test_mask_phone_hides_the_middle(phone):
    shown = mask_phone(phone)
    assert len(shown) == len(phone)
    assert shown[:4] == phone[:4]
    assert shown[-4:] == phone[-4:]
    assert shown[4:-4] == BULLET * (len(phone) - 8)


@given(st.text(alphabet="0123456789", max_size=8))
def test_mask_phone_short_numbers_fully_hidden(phone):
    assert mask_phone(phone) == BULLET * len(phone)


# --- the same helpers as template filters -------------------------------------------------------------


def test_filters_registered_in_templates(app):
    render = app.jinja_env.from_string(
        "{{ 1250000|rupiah }}|{{ d|tanggal }}|{{ d|tanggal_pendek }}|{{ n|mask_nik }}|{{ p|mask_phone }}"
    )
    shown = render.render(d=date(2021, 4, 12), n="5271011203850003", p="081234567890")
    assert shown == "Rp 1.250.000|Senin, 12 April 2021|12 April 2021|5271••••••••0003|0812••••7890"
