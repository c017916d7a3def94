"""Password rules (pure): what a new password may not be, with the reason in Indonesian.

The bundled lists: `common-passwords.txt.gz`, the 20,000 most common passwords of leaked password sets
(Royce Williams' list as shipped by Django, BSD licence), and `indonesian-passwords.txt`, weak
Indonesian words this project adds.
"""

import gzip
import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
HERE = Path(__file__).resolve().parent
# Words anyone who knows the programme would try first.
APP_WORDS = ("kotaku", "mataram", "demo", "padatkarya", "lapangan", "cashforwork", "fasilitator", "bendahara")

TOO_SHORT = f"Kata sandi baru minimal {MIN_LENGTH} karakter."
SAME = "Kata sandi baru harus berbeda dari kata sandi sekarang."
COMMON = "Kata sandi ini termasuk yang paling sering dipakai atau pernah bocor. Pilih yang lain."
REPEATED = "Kata sandi ini terlalu mudah ditebak (karakter berulang atau berurutan). Pilih yang lain."
HAS_USERNAME = "Kata sandi tidak boleh memuat nama pengguna."
HAS_APP_WORD = "Kata sandi tidak boleh memuat kata “{word}”."


def password_problem(new, username="", current=None):
    """Why `new` may not be the password of `username` (whose password is `current`), or None."""
    if len(new) < MIN_LENGTH:
        return TOO_SHORT
    if current is not None and new.casefold() == current.casefold():
        return SAME
    letters = _letters(new)
    name = _letters(username)
    if len(name) >= 3 and name in letters:
        return HAS_USERNAME
    for word in APP_WORDS:
        if word in letters:
            return HAS_APP_WORD.format(word=word)
    if len(set(new)) < 4 or _is_sequence(new):
        return REPEATED
    lowered = new.casefold()
    core = _core(lowered)
    if lowered in common_passwords() or (len(core) >= 3 and core in common_passwords()):
        return COMMON
    return None


@cache
def common_passwords():
    """The bundled lists of common and leaked passwords, lowercase."""
    with gzip.open(HERE / "common-passwords.txt.gz", "rt", encoding="utf-8") as f:
        words = {line.strip() for line in f}
    extra = (HERE / "indonesian-passwords.txt").read_text(encoding="utf-8").splitlines()
    words.update(line.strip() for line in extra if line.strip() and not line.startswith("#"))
    words.discard("")
    return frozenset(words)


def _letters(text):
    """Lowercase letters and digits only: "Kotaku-Demo 1" and "kotakudemo1" read the same."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _core(text):
    """The word inside decorations: "Password2024!" -> "password"."""
    return re.sub(r"^[\d\W_]+|[\d\W_]+$", "", text)


def _is_sequence(text):
    """abcdefghij, 0987654321: each character one step from the last, the same way."""
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})
