"""Worker eligibility (kotaku_pwa/eligibility.py): (a) MBR affected by Covid-19 and/or (b) lost job or
income, and (c) the family's main breadwinner."""

import pytest

from kotaku_pwa.eligibility import problems

INCOME = "Pekerja harus MBR terdampak Covid-19 dan/atau kehilangan pekerjaan/penghasilan."
BREADWINNER = "Pekerja harus tulang punggung (pencari nafkah utama) keluarga."


# All eight combinations, each with the messages worked out by hand from the seed's rule.
CASES = [
    (True, True, True, {}),
    (True, False, True, {}),  # (a) alone is enough
    (False, True, True, {}),  # (b) alone is enough
    (False, False, True, {"low_income_covid": INCOME}),
    (True, True, False, {"breadwinner": BREADWINNER}),
    (True, False, False, {"breadwinner": BREADWINNER}),
    (False, True, False, {"breadwinner": BREADWINNER}),
    (False, False, False, {"low_income_covid": INCOME, "breadwinner": BREADWINNER}),
]


@pytest.mark.parametrize(("low_income_covid", "lost_income", "breadwinner", "messages"), CASES)
def test_every_combination(low_income_covid, lost_income, breadwinner, messages):
    assert problems(low_income_covid, lost_income, breadwinner) == messages


def test_the_table_above_covers_all_eight_combinations():
    assert len({case[:3] for case in CASES}) == 8


def test_messages_are_indonesian():
    found = problems(False, False, False)
    assert found["low_income_covid"] == INCOME
    assert found["breadwinner"] == BREADWINNER
