"""NIK, the 16-digit national ID: what its digits say, and whether they agree with the person.

Digits 1-6 region (province, kabupaten/kota, kecamatan), 7-12 birth date DDMMYY (women: day + 40),
13-16 serial. The two-digit year is read as the most recent year not after the day of the record.
"""

import re
from dataclasses import dataclass
from datetime import date

# Province codes of Dukcapil (Aceh 11 ... Papua 91-96).
PROVINCES = frozenset(
    [
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    ]
)
ADULT_AGE = 18


class NikError(ValueError):
    """The NIK cannot be right; the message says why, in Indonesian."""


@dataclass(frozen=True)
class Nik:
    region: str
    birth_date: date
    gender: str  # "L" or "P"
    serial: str


def parse(nik: str, on: date) -> Nik:
    """Read a NIK recorded on `on`; raise NikError when its digits cannot be a real NIK."""
    if not isinstance(nik, str) or not re.fullmatch(r"[0-9]{16}", nik):
        raise NikError("NIK harus 16 angka.")
    if int(nik[:2]) not in PROVINCES:
        raise NikError("Kode provinsi pada NIK (2 angka pertama) tidak dikenal.")
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise NikError("Kode kabupaten/kota atau kecamatan pada NIK tidak valid.")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    year = on.year // 100 * 100 + yy
    if year > on.year:
        year -= 100
    try:
        born = date(year, month, day)
        if born > on:
            born = date(year - 100, month, day)
    except ValueError:
        raise NikError("Tanggal lahir pada NIK (angka 7-12) tidak valid.") from None
    if nik[12:] == "0000":
        raise NikError("Nomor urut pada NIK (4 angka terakhir) tidak valid.")
    return Nik(region=nik[:6], birth_date=born, gender=gender, serial=nik[12:])


def age_on(born: date, on: date) -> int:
    """Whole years between `born` and `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def problems(nik: str, gender: str, on: date) -> dict[str, str]:
    """Field → message for a person's NIK and gender recorded on `on` (empty when all agree)."""
    try:
        parsed = parse(nik, on)
    except NikError as error:
        return {"nik": str(error)}
    errors = {}
    if gender in ("L", "P") and gender != parsed.gender:
        sex = "perempuan" if parsed.gender == "P" else "laki-laki"
        errors["gender"] = f"Jenis kelamin tidak sesuai NIK (NIK ini milik {sex})."
    if age_on(parsed.birth_date, on) < ADULT_AGE:
        errors["nik"] = f"Pekerja harus berusia minimal {ADULT_AGE} tahun (menurut NIK)."
    return errors


def outside_kota(nik: str | None, kode_wilayah: str | None) -> bool:
    """True when the NIK was issued outside the kota of this BPS code (digits 1-4 of the NIK); a kota
    without a code, or a NIK too short to read, is never flagged."""
    if not kode_wilayah or not nik or len(nik) < 4:
        return False
    return nik[:4] != kode_wilayah
