"""Reading typed fields out of a record's JSON `data`, collecting Indonesian messages per field."""

import re
from datetime import date
from types import SimpleNamespace

from ..safetext import text_problem

REQUIRED = "Wajib diisi."
MULTILINE_FIELDS = {"notes"}  # free notes may hold tabs and line breaks; names and places may not
# Compiled once: a sync batch checks hundreds of dates and uuids.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Reader:
    """Reads fields of one record; every problem lands in `errors` instead of raising."""

    def __init__(self, data):
        self.data = data if isinstance(data, dict) else {}
        self.errors: dict[str, str] = {}

    def _get(self, name, required):
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.errors.setdefault(name, REQUIRED)
            return None
        return value

    def text(self, name, max_len=200, required=True):
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.errors[name] = "Harus berupa teks."
            return None
        value = value.strip()
        problem = text_problem(value, multiline=name in MULTILINE_FIELDS)
        if problem:  # refused, never cleaned: what was typed is not what would be stored
            self.errors[name] = problem
            return None
        if required and not value:
            self.errors[name] = REQUIRED
        elif len(value) > max_len:
            self.errors[name] = f"Paling banyak {max_len} karakter."
        return value or None

    def integer(self, name, minimum=None, maximum=None, required=True):
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = "Harus berupa bilangan bulat."
            return None
        # Never more than the database's integer columns hold (PostgreSQL: 32 bits).
        minimum = -(2**31) if minimum is None else minimum
        maximum = 2**31 - 1 if maximum is None else maximum
        if minimum is not None and value < minimum:
            self.errors[name] = f"Tidak boleh kurang dari {minimum}."
        elif maximum is not None and value > maximum:
            self.errors[name] = f"Tidak boleh lebih dari {maximum}."
        return value

    def boolean(self, name, required=True):
        value = self.data.get(name)
        if value is None and not required:
            return False
        if not isinstance(value, bool):
            self.errors[name] = "Harus true atau false."
            return None
        return value

    def day(self, name, required=True):
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, str) and _DAY.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.errors[name] = "Tanggal harus berformat YYYY-MM-DD."
        return None

    def past_day(self, name, today, what="Tanggal", required=True):
        """A date that has already come; `what` names it in the message."""
        value = self.day(name, required)
        if value and value > today:
            self.errors[name] = f"{what} tidak boleh di masa depan."
        return value

    def check(self, name, value, problem):
        """Records `problem(value)` (a rule's message or None) against a field that read cleanly."""
        if value and name not in self.errors:
            message = problem(value)
            if message:
                self.errors[name] = message

    def choice(self, name, choices, required=True):
        value = self._get(name, required)
        if value is None:
            return None
        if value not in choices:
            self.errors[name] = "Pilihan tidak dikenal: " + ", ".join(map(str, choices)) + "."
            return None
        return value

    def uuid(self, name, required=True):
        value = self._get(name, required)
        if value is None:
            return None
        if not is_uuid(value):
            self.errors[name] = "Harus berupa UUID."
            return None
        return value.lower()


def is_uuid(value) -> bool:
    return isinstance(value, str) and bool(_UUID.fullmatch(value))


class New(SimpleNamespace):
    """A row a batch will insert: plain attributes, none of the ORM's bookkeeping (a batch makes
    thousands; sync/engine.py inserts them with one statement per table). `children` are rows that
    belong to it and are inserted after it (a meeting's attendees)."""

    def __init__(self, model, **values):
        super().__init__(model=model, id=None, children=(), **values)


class Held(Exception):
    """Keep this record in the conflict table next to `existing` (a clash found while building it,
    or a record that depends on another still waiting there)."""

    def __init__(self, existing, reason):
        super().__init__(reason)
        self.existing = existing  # (kind, uuid, id)
        self.reason = reason
