"""Worker eligibility (kotaku_pwa/eligibility.py): (a) MBR affected by Covid-19 and/or (b) lost job or
income, and (c) the family's main breadwinner."""

import itertools

import pytest

from kotaku_pwa.eligibility import problems

INCOME = "Pekerja harus MBR terdampak Covid-19 dan/atau kehilangan pekerjaan/penghasilan."
BREADWINNER = "Pekerja harus tulang punggung (pencari nafkah utama) keluarga."


def expected(low_income_covid, lost_income, breadwinner):
    errors = {}
    if not low_income_covid and not lost_income:
        errors["low_income_covid"] = INCOME
    if not breadwinner:
        errors["breadwinner"] = BREADWINNER
    return errors


@pytest.mark.parametrize(
    ("low_income_covid", "lost_income", "breadwinner", "fields"),
    [
        (True, True, True, set()),
        (True, False, True, set()),  # (a) alone is enough
        (False, True, True, set()),  # (b) alone is enough
        (False, False, True, {"low_income_covid"}),
        (True, True, False, {"breadwinner"}),
        (True, False, False, {"breadwinner"}),
        (False, True, False, {"breadwinner"}),
        (False, False, False, {"low_income_covid", "breadwinner"}),
    ],
)
def test_every_combination(low_income_covid, lost_income, breadwinner, fields):
    found = problems(low_income_covid, lost_income, breadwinner)
    assert set(found) == fields
    assert found == expected(low_income_covid, lost_income, breadwinner)


def test_the_table_above_covers_all_eight_combinations():
    combos = list(itertools.product((True, False), repeat=3))
    assert len(combos) == 8
    eligible = [c for c in combos if not problems(*c)]
    assert sorted(eligible) == sorted([(True, True, True), (True, False, True), (False, True, True)])


def test_messages_are_indonesian():
    found = problems(False, False, False)
    assert found["low_income_covid"] == INCOME
    assert found["breadwinner"] == BREADWINNER
