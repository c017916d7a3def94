"""Amounts in Indonesian words, as the LPJ writes them: 1250000 → "satu juta dua ratus lima puluh ribu"."""

DIGITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
SCALES = [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (1000, "ribu")]


def terbilang(n: int) -> str:
    """Whole non-negative rupiah in words (negative amounts say "minus")."""
    if n < 0:
        return "minus " + terbilang(-n)
    if n == 0:
        return "nol"
    return _words(n)


def _words(n: int) -> str:
    for scale, name in SCALES:
        if n >= scale:
            head, rest = divmod(n, scale)
            first = "seribu" if scale == 1000 and head == 1 else f"{_words(head)} {name}"
            return _join(first, rest)
    if n >= 100:
        head, rest = divmod(n, 100)
        return _join("seratus" if head == 1 else f"{DIGITS[head]} ratus", rest)
    if n >= 20:
        head, rest = divmod(n, 10)
        return _join(f"{DIGITS[head]} puluh", rest)
    if n >= 12:
        return f"{DIGITS[n - 10]} belas"
    if n == 11:
        return "sebelas"
    if n == 10:
        return "sepuluh"
    return DIGITS[n]


def _join(head: str, rest: int) -> str:
    return f"{head} {_words(rest)}" if rest else head


def rupiah_words(n: int) -> str:
    """ "Satu juta dua ratus lima puluh ribu rupiah" (capitalised, for the LPJ)."""
    words = terbilang(n) + " rupiah"
    return words[0].upper() + words[1:]
