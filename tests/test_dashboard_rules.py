"""Pure parts of the dashboard: the SVG chart geometry, the filters read from the query string, and
the money of each pay period (ledger.period_balances)."""

from datetime import date

import pytest

from kotaku_pwa.dashboard import charts
from kotaku_pwa.dashboard.filters import parse
from kotaku_pwa.ledger import late_periods, period_balances


@pytest.mark.parametrize(
    "value, top",
    [
        (0, 1),
        (-5, 1),
        (1, 1),
        (7, 10),
        (10, 10),
        (11, 20),
        (21, 25),
        (26, 50),
        (51, 100),
        (730, 1000),
        (0.3, 0.5),
    ],
)
def test_nice_top(value, top):
    assert charts.nice_top(value) == pytest.approx(top)


def test_columns_fill_the_width_and_scale_to_the_top():
    chart = charts.columns([("a", 5), ("b", 10), ("c", 0), ("d", 2.5)], height=124)
    assert chart.top == 10 and chart.baseline == 100  # 124 − the axis labels' room
    slot = charts.WIDTH / 4
    a, b, c, d = chart.bars
    assert (a.height, b.height, c.height, d.height) == (50, 100, 0, 25)
    assert b.y == 0 and a.y == 50 and c.y == 100
    assert a.x == pytest.approx(4) and b.x == pytest.approx(slot + 4)
    assert all(bar.x + bar.width <= charts.WIDTH for bar in chart.bars)


def test_paired_columns_sit_side_by_side():
    chart = charts.columns([("w1", 40, 80), ("w2", 80, 80)], height=124, series=2)
    assert chart.top == 100
    paid, due, paid2, _ = chart.bars
    assert (paid.series, due.series) == (0, 1)
    assert due.x == pytest.approx(paid.x + paid.width)
    assert (paid.height, due.height, paid2.height) == (40, 80, 80)


def test_hbars_place_the_target_line():
    chart = charts.hbars([("Ampenan", 50), ("Babakan", None), ("Cakra", 140)], top=100, target=70)
    plot = charts.WIDTH - charts.LABEL_WIDTH - 8
    assert chart.line == pytest.approx(charts.LABEL_WIDTH + 0.7 * plot)
    a, b, c = chart.bars
    assert a.width == pytest.approx(plot / 2)
    assert b.width == 0 and b.value is None  # no figure: no bar, "–" in the template
    assert c.width == pytest.approx(plot)  # kept inside the chart
    assert chart.height == 3 * charts.ROW
    assert charts.hbars([]).bars == () and charts.columns([]).bars == ()


def test_filters_read_well_formed_values():
    args = {"kecamatan": "3", "program": "dfat", "dari": "2021-04-01", "sampai": "2021-04-30", "urut": "hok"}
    f = parse(args, {3})
    assert (f.kecamatan_id, f.programme, f.sort, f.messages) == (3, "DFAT", "hok", [])
    assert f.period == (date(2021, 4, 1), date(2021, 4, 30))
    assert f.query(halaman=2) == {**args, "kecamatan": 3, "program": "DFAT", "halaman": 2}
    assert parse({"dari": "2021-04-01"}, set()).period == (date(2021, 4, 1), date.max)
    assert parse({}, set()).period is None


@pytest.mark.parametrize(
    "args, message",
    [
        ({"kecamatan": "4"}, "Kecamatan tidak dikenal"),
        ({"kecamatan": "-1"}, "Kecamatan tidak dikenal"),
        ({"program": "BKM"}, "Program tidak dikenal"),
        ({"dari": "2021-02-29"}, "Tanggal awal tidak valid"),
        ({"sampai": "x" * 500}, "Tanggal akhir tidak valid"),
        ({"dari": "2021-05-01", "sampai": "2021-04-01"}, "Tanggal awal sesudah tanggal akhir"),
        ({"urut": "nama;drop"}, "Urutan tidak dikenal"),
    ],
)
def test_filters_drop_what_they_cannot_read_with_a_message(args, message):
    f = parse(args, {3})
    assert len(f.messages) == 1 and f.messages[0].startswith(message)
    assert (f.kecamatan_id, f.programme, f.period, f.sort) == (None, None, None, "nama")
    assert len(f.messages[0]) < 120  # a long bad value is not echoed whole


def test_period_balances_worked_by_hand():
    periods = [(date(2021, 4, 15), date(2021, 4, 21)), (date(2021, 4, 22), date(2021, 4, 28)),
               (date(2021, 4, 29), date(2021, 5, 5))]  # fmt: skip
    due = {date(2021, 4, 15): 100, date(2021, 4, 21): 50, date(2021, 4, 22): 70, date(2021, 4, 30): 10}
    paid = {date(2021, 4, 15): 150, date(2021, 4, 22): 100}
    rows = period_balances(periods, due, paid, today=date(2021, 4, 29))
    assert rows == [
        (date(2021, 4, 15), date(2021, 4, 21), 150, 150, 0),
        (date(2021, 4, 22), date(2021, 4, 28), 70, 100, 0),  # overpaid: nothing owed, never negative
        (date(2021, 4, 29), date(2021, 5, 5), 10, 0, 10),
    ]
    assert period_balances(periods, due, paid, today=date(2021, 4, 20))[1:] == []  # not begun yet
    assert late_periods([(r[0], r[1], r[4]) for r in rows], date(2021, 5, 13)) == [
        (date(2021, 4, 29), date(2021, 5, 5), 10)
    ]
