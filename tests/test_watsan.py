"""Water and sanitation access against the 80 % target, the TIPP gender balance and the coverage chart
(kotaku_pwa/watsan.py): pure rules."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa import vocabulary as v
from kotaku_pwa.watsan import chart, coverage, gender_balance, meets_target, survey_problems

TODAY = date(2021, 9, 1)
YEARS = frozenset({2021})


def test_coverage_is_a_whole_percent_rounded_half_up():
    assert coverage(271, 412) == 66  # 65.78
    assert coverage(1, 8) == 13  # 12.5 rounds up
    assert coverage(0, 10) == 0
    assert coverage(10, 10) == 100
    assert coverage(3, 0) is None
    assert coverage(None, 10) is None


def test_the_target_is_eighty_percent():
    assert v.SERVICE_TARGET_PERCENT == 80
    assert meets_target(80) and meets_target(100)
    assert not meets_target(79) and not meets_target(None)


@given(st.integers(1, 100_000), st.data())
def test_coverage_stays_between_0_and_100(households, data):
    count = data.draw(st.integers(0, households))
    assert 0 <= coverage(count, households) <= 100


def test_a_sound_survey_has_no_problems():
    assert survey_problems(100, 80, 60, date(2021, 4, 5), YEARS, TODAY) == {}
    assert survey_problems(0, 0, 0, date(2021, 4, 5), YEARS, TODAY) == {}


def test_households_with_access_cannot_exceed_the_households():
    problems = survey_problems(100, 101, 150, date(2021, 4, 5), YEARS, TODAY)
    tail = "tidak boleh lebih dari jumlah rumah tangga."
    assert problems == {
        "households_safe_water": f"Rumah tangga dengan air minum aman {tail}",
        "households_safe_sanitation": f"Rumah tangga dengan sanitasi aman {tail}",
    }


def test_negative_counts_are_refused():
    problems = survey_problems(-1, -2, 0, date(2021, 4, 5), YEARS, TODAY)
    assert problems["households"] == "Jumlah rumah tangga tidak boleh negatif."
    assert problems["households_safe_water"] == "Jumlah rumah tangga tidak boleh negatif."
    assert "households_safe_sanitation" not in problems  # 0 ≤ a negative total says nothing more


def test_the_date_must_fall_in_a_programme_year_and_not_in_the_future():
    assert survey_problems(10, 5, 5, date(2019, 12, 31), YEARS, TODAY) == {
        "surveyed_on": "Tanggal survei di luar tahun program DFAT (2021)."
    }
    assert survey_problems(10, 5, 5, date(2021, 9, 2), YEARS, TODAY) == {
        "surveyed_on": "Tanggal survei tidak boleh di masa depan."
    }
    assert survey_problems(10, 5, 5, date(2021, 4, 5), frozenset(), TODAY) == {
        "surveyed_on": "Tahun program DFAT belum diatur oleh admin."
    }


def test_gender_balance():
    assert gender_balance(["L", "P", "P", "L", "L"]) == (3, 2, 40)
    assert gender_balance([]) == (0, 0, None)


def test_the_chart_places_dates_left_to_right_and_the_target_line_at_80():
    c = chart([(date(2021, 10, 1), 90, 85), (date(2021, 4, 5), 66, 48)], width=320, height=160, pad=24)
    # Inner height 112 under a padding of 24: 80 % at 24 + 22.4, 66 % at 24 + 38.08, 90 % at 24 + 11.2.
    assert c.target_y == 46.4
    assert c.water == "24.0,62.1 296.0,35.2"
    assert [label for _, label in c.ticks] == ["5/4/21", "1/10/21"]
    assert c.dots[0][3] == "5/4/21: air minum 66 %, sanitasi 48 %"


def test_one_survey_is_drawn_in_the_middle():
    c = chart([(date(2021, 4, 5), 50, 100)], width=320, height=160, pad=24)
    assert c.water == "160.0,80.0"
    assert c.sanitation == "160.0,24.0"
