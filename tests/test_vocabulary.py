"""The programme's vocabulary lives in one plain module (its purity: tests/test_record_kinds.py)."""

from kotaku_pwa import models, vocabulary, wages
from kotaku_pwa.roles import ROLE_LABELS


def test_wages_and_models_share_the_vocabularys_wage_categories():
    assert vocabulary.WAGE_CATEGORIES == ("pekerja", "tukang", "mandor")
    assert models.WAGE_CATEGORIES is vocabulary.WAGE_CATEGORIES
    assert list(wages.rates_in_force({"pekerja": 1, "tukang": 2, "mandor": 3}, {"tukang": 5})) == [
        "pekerja",
        "tukang",
        "mandor",
    ]


def test_every_code_list_has_a_label_for_each_code():
    assert set(vocabulary.CATEGORY_LABELS) == set(vocabulary.WAGE_CATEGORIES)
    assert set(vocabulary.PAY_PERIOD_LABELS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.PERIOD_LABELS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.PERIOD_DAYS) == set(vocabulary.PAY_PERIODS)
    assert set(vocabulary.SPENDING_CATEGORY_LABELS) == set(vocabulary.SPENDING_CATEGORIES)
    assert vocabulary.PROGRAMMES == ("CFW", "DFAT")


def test_roles_labels_have_one_home():
    assert vocabulary.ROLE_LABELS is ROLE_LABELS
