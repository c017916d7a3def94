"""Issue 11, item 4: text typed by people never becomes a live formula in an XLSX or CSV export."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kotaku_pwa import db
from kotaku_pwa.models import Kelurahan
from kotaku_pwa.safetext import cell, cells
from tests.test_payments import WEEK, ksm_named, worker_of

HYPERLINK = '=HYPERLINK("http://contoh.invalid","Klik")'


@pytest.mark.parametrize("text", ["=1+1", "+62812", "-2+3", "@SUM(A1)", "\tTab", "\rCR", HYPERLINK])
def test_formula_starts_get_an_apostrophe(text):
    assert cell(text) == "'" + text


def test_ordinary_values_stay_as_they_are():
    assert cells(["Budi", 76000, -5, 1.5, None, date(2021, 4, 15), "", "a=b"]) == [
        "Budi",
        76000,
        -5,
        1.5,
        None,
        date(2021, 4, 15),
        "",
        "a=b",
    ]


def test_control_characters_stored_earlier_are_dropped():
    assert cell("Bu\x00di\x1b \u202eX") == "Budi X"


@pytest.fixture
def hostile_names(demo, auth):
    """Names stored before they were checked: a formula, and an ESC that once made every XLSX 500."""
    ksm = ksm_named("KSM Tanjung Karang 1")
    worker_of(ksm, "Baiq Fitriani").name = HYPERLINK
    worker_of(ksm, "Abdul Rahman").name = "Abdul\x1bRahman"  # ESC: openpyxl refused it (500)
    db.session.commit()
    return ksm


@pytest.mark.parametrize("sheet_name", ["daftar-upah", "daftar-hadir"])
def test_lpj_workbooks_hold_no_formula(hostile_names, auth, client, sheet_name):
    auth.login("bendahara")
    response = client.get(f"/payments/{hostile_names.id}/{WEEK[0]}/{sheet_name}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    every = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in every if c.data_type == "f"]
    texts = [c.value for c in every if isinstance(c.value, str)]
    assert "'" + HYPERLINK in texts
    assert "AbdulRahman" in texts
    numbers = [c.value for c in every if isinstance(c.value, int)]
    assert numbers  # numbers stay numbers


def test_export_csv_escapes_kelurahan_names(demo, auth, client):
    kelurahan = db.session.execute(db.select(Kelurahan).filter_by(name="Tanjung Karang")).scalar_one()
    kelurahan.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    auth.login("askot")
    rows = list(csv.DictReader(io.StringIO(client.get("/dashboard/export.csv").get_data(as_text=True))))
    names = [r["kelurahan"] for r in rows]
    assert "'=cmd|' /C calc'!A0" in names
    assert not [n for n in names if n.startswith(("=", "+", "-", "@"))]
    assert all(r["ksm"].isdigit() for r in rows)
