"""Password rules (issue 11, item 8): common and leaked passwords, the username, programme words and the
current password are refused, with the reason in Indonesian."""

import pytest

from kotaku_pwa.auth.passwords import (
    COMMON,
    HAS_USERNAME,
    REPEATED,
    SAME,
    TOO_SHORT,
    common_passwords,
    password_problem,
)


@pytest.mark.parametrize(
    "password",
    ["password12", "1234567890", "qwertyuiop", "Password2024!", "bismillah123", "sayangku2021", "iloveyou!!"],
)
def test_common_and_leaked_passwords_are_refused(password):
    assert password_problem(password, "faskel") == COMMON


@pytest.mark.parametrize(
    "password", ["aaaaaaaaaa", "abababababab", "abcdefghijk", "9876543210", "1111122222"]
)
def test_repeated_and_sequential_characters_are_refused(password):
    assert password_problem(password, "faskel") == REPEATED


@pytest.mark.parametrize(
    ("password", "word"),
    [
        ("kotaku-demo", "kotaku"),
        ("KOTAKU2024!!", "kotaku"),
        ("mataram-indah-1", "mataram"),
        ("Padat Karya 2021", "padatkarya"),
        ("demo-demo-demo", "demo"),
    ],
)
def test_programme_words_are_refused(password, word):
    problem = password_problem(password, "faskel")
    assert problem is not None and word in problem


@pytest.mark.parametrize("password", ["siti.rahma-77x", "Siti_Rahma_saja", "xx-sitirahma-xx"])
def test_the_username_is_refused(password):
    assert password_problem(password, "siti.rahma") == HAS_USERNAME


def test_the_new_password_differs_from_the_current_one():
    assert password_problem("gunung-rinjani-pagi", "faskel", "gunung-rinjani-pagi") == SAME
    assert password_problem("Gunung-Rinjani-Pagi", "faskel", "gunung-rinjani-pagi") == SAME
    assert password_problem("gunung-rinjani-sore", "faskel", "gunung-rinjani-pagi") is None


def test_short_passwords_are_refused():
    assert password_problem("Rinjani-7", "faskel") == TOO_SHORT


@pytest.mark.parametrize(
    "password", ["gunung-rinjani-pagi", "kopi tubruk di pasar", "Xq7#mLp2vR9t", "sandi-baru-yang-panjang"]
)
def test_good_passwords_pass(password):
    assert password_problem(password, "faskel", "kotaku-demo") is None


def test_the_bundled_list_is_loaded():
    words = common_passwords()
    assert len(words) > 19_000
    assert {"123456", "password", "iloveyou", "rahasia", "bismillah"} <= words
    assert all(w == w.strip() and w for w in words)
