"""Pure tests of the wage and ledger rules (kotaku_pwa/wages.py, ledger.py, terbilang.py)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa import ledger, wages
from kotaku_pwa.terbilang import rupiah_words, terbilang

KOTA = {"pekerja": 76000, "tukang": 85000, "mandor": 95000}


def test_rates_in_force_prefer_the_ksm_override():
    assert wages.rates_in_force(KOTA, {"pekerja": None, "tukang": 90000, "mandor": None}) == {
        "pekerja": 76000,
        "tukang": 90000,
        "mandor": 95000,
    }
    assert wages.rates_in_force(KOTA, {}) == KOTA


@pytest.mark.parametrize(
    ("hok", "rate", "paid", "due", "outstanding"),
    [
        (5, 76000, 0, 380_000, 380_000),
        (12, 85000, 500_000, 1_020_000, 520_000),
        (3, 95000, 285_000, 285_000, 0),
        (0, 76000, 0, 0, 0),
        (2, 76000, 200_000, 152_000, 0),  # paid more than due: nothing outstanding, never negative
    ],
)
def test_wage_line_due_and_outstanding(hok, rate, paid, due, outstanding):
    assert wages.wage(hok, rate) == due
    line = wages.WageLine(worker_id=1, hok=hok, rate=rate, paid=paid)
    assert (line.due, line.outstanding) == (due, outstanding)


@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(list(KOTA)), st.booleans()), max_size=40))
def test_wage_list_totals_add_up(workers):
    ids = [(i, category) for i, (_, category, _) in enumerate(workers)]
    hok = {i: h for i, (h, _, _) in enumerate(workers)}
    paid = {i: h * KOTA[c] for i, (h, c, was_paid) in enumerate(workers) if was_paid}
    lines = wages.wage_lines(ids, hok, KOTA, paid)
    total = wages.totals(lines)
    assert total["due"] == sum(h * KOTA[c] for h, c, _ in workers)
    assert total["paid"] + total["outstanding"] == total["due"]
    assert total["hok"] == sum(hok.values())


@pytest.mark.parametrize(
    ("period", "count", "last"),
    [
        ("daily", 92, (date(2021, 7, 15), date(2021, 7, 15))),
        ("weekly", 14, (date(2021, 7, 15), date(2021, 7, 15))),
        ("biweekly", 7, (date(2021, 7, 8), date(2021, 7, 15))),
    ],
)
def test_pay_periods_cover_the_season_without_gaps(period, count, last):
    periods = wages.pay_periods(date(2021, 4, 15), date(2021, 7, 15), period)
    assert len(periods) == count
    assert periods[0][0] == date(2021, 4, 15) and periods[-1] == last
    for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
        assert start == end + timedelta(days=1)


@given(st.dates(date(2021, 4, 1), date(2021, 8, 1)), st.sampled_from(["daily", "weekly", "biweekly"]))
def test_period_of_holds_the_day(day, period):
    start, end = date(2021, 4, 15), date(2021, 7, 15)
    first, last = wages.period_of(day, start, end, period)
    assert (first, last) in wages.pay_periods(start, end, period)
    assert first <= min(max(day, start), end) <= last


def test_wage_share_against_target():
    assert wages.wage_share(0, 0) is None
    assert wages.wage_share(70, 30) == pytest.approx(0.7)
    assert wages.wage_share(100, 0) == 1


@pytest.mark.parametrize(
    ("days", "rate", "amount", "hok", "fields"),
    [
        (5, 76000, 380000, 5, set()),
        (5, 76000, 380001, 5, {"amount"}),
        (6, 76000, 456000, 5, {"days"}),
        (0, 76000, 0, 5, {"days"}),
        (5, 80000, 400000, 5, {"daily_rate"}),
        (5, 1_000_001, 5_000_005, 5, {"daily_rate"}),
        (5, 76000, -380000, 5, {"amount"}),
    ],
)
def test_payment_problems(days, rate, amount, hok, fields):
    assert set(wages.payment_problems(days, rate, amount, 76000, hok)) == fields


@pytest.mark.parametrize(
    ("receipts", "wages_paid", "spending", "balance"),
    [
        (10_000_000, 3_800_000, 1_250_000, 4_950_000),
        (0, 0, 0, 0),
        (35_000_000, 0, 0, 35_000_000),
        (1_000_000, 1_200_000, 0, -200_000),  # paid out more than received: the shortfall shows
    ],
)
def test_balance_is_receipts_less_wages_and_spending(receipts, wages_paid, spending, balance):
    assert ledger.balance(receipts, wages_paid, spending) == balance


def test_late_periods_after_seven_days():
    periods = [(date(2021, 4, 15), date(2021, 4, 21), 100), (date(2021, 4, 22), date(2021, 4, 28), 0)]
    assert ledger.late_periods(periods, date(2021, 4, 28)) == []
    assert ledger.late_periods(periods, date(2021, 4, 29)) == [periods[0]]
    assert ledger.late_periods(periods, date(2021, 6, 1)) == [periods[0]]  # the paid one never


def test_short_of_wages():
    assert ledger.short_of_wages(100, 200)
    assert not ledger.short_of_wages(300, 200)
    assert not ledger.short_of_wages(-5, 0)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (15, "lima belas"),
        (100, "seratus"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (11000, "sebelas ribu"),
        (76000, "tujuh puluh enam ribu"),
        (1250000, "satu juta dua ratus lima puluh ribu"),
        (300000000, "tiga ratus juta"),
        (1_000_000_000, "satu miliar"),
        (2_500_000_000_000, "dua triliun lima ratus miliar"),
    ],
)
def test_terbilang(n, words):
    assert terbilang(n) == words


@given(st.integers(1, 10**13))
def test_terbilang_words_are_known(n):
    vocabulary = {
        "satu",
        "dua",
        "tiga",
        "empat",
        "lima",
        "enam",
        "tujuh",
        "delapan",
        "sembilan",
        "sepuluh",
        "sebelas",
        "belas",
        "puluh",
        "ratus",
        "seratus",
        "ribu",
        "seribu",
        "juta",
        "miliar",
        "triliun",
    }
    words = terbilang(n).split()
    assert words and set(words) <= vocabulary
    assert rupiah_words(n).endswith(" rupiah") and rupiah_words(n)[0].isupper()


def test_days_by_period_groups_a_workers_days_into_the_periods_that_hold_any():
    periods = wages.pay_periods(date(2021, 4, 15), date(2021, 5, 12), "weekly")
    days = [
        (date(2021, 4, 20), False),
        (date(2021, 4, 15), True),
        (date(2021, 4, 16), True),
        (date(2021, 5, 6), True),
    ]
    grouped = wages.days_by_period(days, periods)
    assert [(p.start, p.end, p.hok) for p in grouped] == [
        (date(2021, 4, 15), date(2021, 4, 21), 2),
        (date(2021, 5, 6), date(2021, 5, 12), 1),
    ]
    assert grouped[0].present == (date(2021, 4, 15), date(2021, 4, 16))
    assert grouped[0].absent == (date(2021, 4, 20),)
    assert wages.days_by_period([], periods) == []
