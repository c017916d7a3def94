"""Which days work may be recorded for (kotaku_pwa/workdays.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kotaku_pwa.workdays import date_problem, default_day, today, week_of

START, END = date(2021, 4, 15), date(2021, 7, 15)  # a Thursday and a Thursday
TODAY = date(2021, 5, 20)
FUTURE = "Tanggal tidak boleh di masa depan."
OUTSIDE = "Tanggal di luar masa kegiatan KSM (15-04-2021 s.d. 15-07-2021)."


@pytest.mark.parametrize("day", [START, TODAY, date(2021, 5, 1), TODAY - timedelta(days=1)])
def test_days_inside_the_period_up_to_today_are_fine(day):
    assert date_problem(day, START, END, TODAY) is None


@pytest.mark.parametrize("day", [TODAY + timedelta(days=1), date(2021, 7, 1), date(2030, 1, 1)])
def test_future(day):
    assert date_problem(day, START, END, TODAY) == FUTURE


def test_future_wins_over_outside_the_period():
    assert date_problem(date(2021, 7, 16), START, END, TODAY) == FUTURE


@pytest.mark.parametrize("day", [START - timedelta(days=1), date(2020, 12, 31), date(2021, 1, 1)])
def test_before_start(day):
    assert date_problem(day, START, END, TODAY) == OUTSIDE


@pytest.mark.parametrize("day", [END, END + timedelta(days=1), date(2021, 12, 1)])
def test_end_is_the_last_day(day):
    after_season = date(2022, 1, 1)
    expected = None if day == END else OUTSIDE
    assert date_problem(day, START, END, after_season) == expected


BACKDATE = "Pencatatan mundur lebih dari 3 hari tidak diizinkan."


def test_backdating_window_off_by_default():
    recorded_on = date(2021, 5, 20)
    assert date_problem(START, START, END, TODAY, recorded_on) is None
    assert date_problem(START, START, END, TODAY, recorded_on, None) is None


@pytest.mark.parametrize(
    ("days_before", "expected"),
    [(0, None), (1, None), (3, None), (4, BACKDATE), (5, BACKDATE), (30, BACKDATE)],
)
def test_backdating_window_on(days_before, expected):
    recorded_on = date(2021, 5, 20)
    day = recorded_on - timedelta(days=days_before)
    assert date_problem(day, START, END, TODAY, recorded_on, 3) == expected


def test_backdating_window_counts_from_the_record_day_not_today():
    day = date(2021, 5, 1)
    later = date(2021, 6, 30)  # the server sees the record weeks later: still fine
    assert date_problem(day, START, END, later, date(2021, 5, 2), 3) is None
    assert date_problem(day, START, END, later, date(2021, 5, 5), 3) == BACKDATE


def test_backdating_window_zero_allows_only_the_same_day():
    recorded_on = date(2021, 5, 20)
    assert date_problem(recorded_on, START, END, TODAY, recorded_on, 0) is None
    assert date_problem(recorded_on - timedelta(days=1), START, END, TODAY, recorded_on, 0) == (
        "Pencatatan mundur lebih dari 0 hari tidak diizinkan."
    )


def test_backdating_window_needs_a_record_day():
    assert date_problem(START, START, END, TODAY, None, 3) is None


def test_outside_the_period_wins_over_the_window():
    assert date_problem(date(2021, 4, 1), START, END, TODAY, TODAY, 3) == OUTSIDE


# --- default_day and week_of ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today_", "expected"),
    [
        (date(2021, 5, 20), date(2021, 5, 20)),
        (START, START),
        (END, END),
        (date(2021, 1, 1), START),
        (date(2025, 1, 1), END),
    ],
)
def test_default_day_is_today_kept_inside_the_period(today_, expected):
    assert default_day(START, END, today_) == expected


def test_week_of_a_day_in_the_middle():
    week = week_of(date(2021, 5, 19), START, END)  # a Wednesday
    assert week == [date(2021, 5, 17) + timedelta(days=i) for i in range(7)]
    assert week[0].weekday() == 0 and week[-1].weekday() == 6


@pytest.mark.parametrize("day", [date(2021, 5, 17), date(2021, 5, 23)])
def test_week_of_a_monday_or_sunday_is_its_own_week(day):
    assert week_of(day, START, END) == [date(2021, 5, 17) + timedelta(days=i) for i in range(7)]


def test_week_of_clipped_at_the_start():
    # 15 April 2021 is a Thursday: Monday to Wednesday fall before the period.
    assert week_of(START, START, END) == [
        date(2021, 4, 15),
        date(2021, 4, 16),
        date(2021, 4, 17),
        date(2021, 4, 18),
    ]


def test_week_of_clipped_at_the_end():
    # 15 July 2021 is a Thursday: Friday to Sunday fall after the period.
    assert week_of(END, START, END) == [date(2021, 7, 12), date(2021, 7, 13), date(2021, 7, 14), END]


def test_week_of_a_period_shorter_than_a_week():
    assert week_of(date(2021, 5, 19), date(2021, 5, 18), date(2021, 5, 20)) == [
        date(2021, 5, 18),
        date(2021, 5, 19),
        date(2021, 5, 20),
    ]


def test_week_of_outside_the_period_is_empty():
    assert week_of(date(2021, 8, 4), START, END) == []


def test_today_is_the_programme_time_zone_day():
    before = datetime.now(ZoneInfo("Asia/Makassar")).date()
    found = today("Asia/Makassar")
    after = datetime.now(ZoneInfo("Asia/Makassar")).date()
    assert before <= found <= after
    assert isinstance(found, date) and not isinstance(found, datetime)
    # Mataram (UTC+8) is 18 hours ahead of Honolulu (UTC-10): its date is the same or one day later.
    assert 0 <= (today("Asia/Makassar") - today("Pacific/Honolulu")).days <= 1
