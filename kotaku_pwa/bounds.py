"""Ids and dates from URLs within what the database and the calendar hold: out of range is 404,
never a 500 (a 20-digit id overflows SQLite's integers, an id past 2^31 PostgreSQL's, 9999-12-31
has no next day)."""

import re
from datetime import date

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the database's INTEGER columns (PostgreSQL: 32 bits)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2100, 12, 31)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number from 0 to MAX_ID (beyond it the URL matches nothing)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def init_app(app):
    """Register the bounded `int` converter (before any blueprint adds its routes) and the query-arg guard."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter
    app.before_request(_guard_id_args)


def is_id(value) -> bool:
    """A query-string value that can name a row: digits only, from 1 to MAX_ID."""
    return (
        isinstance(value, str)
        and re.fullmatch(r"[0-9]{1,10}", value) is not None
        and 0 < int(value) <= MAX_ID
    )


def id_arg(name):
    """The row id in the query string (None when absent or empty); 404 when it cannot name a row."""
    value = request.args.get(name, "")
    if value == "":
        return None
    if not is_id(value):
        abort(404)
    return int(value)


def _guard_id_args():
    """Every `*_id` and `page` query argument that is a number must fit the database's integers."""
    for name, value in request.args.items(multi=True):
        if (name.endswith("_id") or name == "page") and re.fullmatch(r"-?[0-9]+", value):
            digits = value.lstrip("-")
            if len(digits) > 10 or int(digits) > MAX_ID:
                abort(404)


def day_or_404(value) -> date:
    """A YYYY-MM-DD date from a URL, between 1900 and 2100."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        abort(404)
    if not FIRST_DAY <= day <= LAST_DAY:
        abort(404)
    return day
