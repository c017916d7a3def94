"""Hostile text: control characters and bidi overrides in what people type, and formulas in what
spreadsheets show. Pure functions, used by the sync records, the admin forms and every export."""

import re

# C0 and C1 control characters and DEL, except tab, line feed and carriage return (judged apart);
# the bidi embeddings, overrides and isolates, and the left-to-right / right-to-left marks, which
# can make a name on the LPJ read as something else.
_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\t\n\r]")

CONTROL_MESSAGE = "Teks berisi karakter kontrol atau pengarah teks yang tidak diizinkan."
LINE_MESSAGE = "Teks ini harus satu baris (tanpa tab atau baris baru)."


def text_problem(value: str, multiline: bool = False) -> str | None:
    """The Indonesian message saying why this text may not be stored, or None when it may."""
    if _HOSTILE.search(value):
        return CONTROL_MESSAGE
    if not multiline and _LINE_BREAKS.search(value):
        return LINE_MESSAGE
    return None


def first_hostile(value, multiline=True) -> str | None:
    """The message for the first hostile string anywhere in a JSON value (keys included)."""
    if isinstance(value, str):
        return text_problem(value, multiline)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = first_hostile(key, multiline) or first_hostile(item, multiline)
            if problem:
                return problem
    if isinstance(value, list):
        for item in value:
            problem = first_hostile(item, multiline)
            if problem:
                return problem
    return None


# A spreadsheet reads a cell starting with these as a formula (or as the start of one).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A value safe to put in an XLSX or CSV cell: text that a spreadsheet would read as a formula
    gets a leading apostrophe; control characters and bidi overrides (text stored before they were
    refused) are dropped, as XLSX cannot hold them; numbers, dates and None stay as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return _HOSTILE.sub("", value)


def cells(values) -> list:
    """A row of cells made safe (see `cell`)."""
    return [cell(value) for value in values]
