"""A work item from the admin form: checked on the server, every problem in Indonesian."""

import re

from ..models import WorkItem

UNITS = ("m", "m2", "m3", "unit", "titik", "paket", "ls")
MAX_VOLUME = 1_000_000


def build(form, ksm, existing, user_id):
    """(WorkItem, {}) from the posted form, or (None, {field: message})."""
    errors = {}
    name = (form.get("name") or "").strip()
    if not 3 <= len(name) <= 200:
        errors["name"] = "Nama item pekerjaan 3–200 karakter."
    elif name.casefold() in {i.name.casefold() for i in existing}:
        errors["name"] = "Item pekerjaan dengan nama ini sudah ada."
    volume = _number(form.get("volume"))
    if volume is None or not 0 < volume <= MAX_VOLUME:
        errors["volume"] = "Volume harus angka lebih dari 0."
    unit = form.get("unit")
    if unit not in UNITS:
        errors["unit"] = "Pilih satuan."
    cost = _rupiah(form.get("planned_cost"))
    if cost is None or not 0 < cost <= (ksm.budget or 2**31 - 1):
        errors["planned_cost"] = (
            "Biaya rencana harus rupiah bulat, lebih dari 0 dan tidak melebihi anggaran KSM."
        )
    elif sum(i.planned_cost for i in existing) + cost > (ksm.budget or 2**31 - 1):
        errors["planned_cost"] = "Jumlah biaya rencana semua item melebihi anggaran KSM."
    if errors:
        return None, errors
    return WorkItem(
        ksm_id=ksm.id, name=name, volume=volume, unit=unit, planned_cost=int(cost), created_by_id=user_id
    ), {}


def _number(value):
    """A number typed on a phone: "250", "12,5" or "12.5"; None when it is none."""
    text = (value or "").strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _rupiah(value):
    """Whole rupiah typed as "1250000" or "1.250.000"; None otherwise."""
    text = (value or "").strip().removeprefix("Rp").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d{1,10}", text):
        return int(text.replace(".", ""))
    return None
