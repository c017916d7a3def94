"""How money, dates and personal numbers are shown: Rupiah, Indonesian dates, masked NIK and phone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# Where the programme works (config TIMEZONE); the template filters pass the configured zone.
DEFAULT_TIMEZONE = "Asia/Makassar"

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def rupiah(amount) -> str:
    """`1250000` → `Rp 1.250.000` (negative amounts keep their sign before Rp)."""
    amount = int(amount or 0)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def tanggal(value: date | datetime | str | None, zone: str = DEFAULT_TIMEZONE) -> str:
    """`date(2021, 4, 12)` → `Senin, 12 April 2021`."""
    if value is None:
        return ""
    value = _local(value, zone)
    return f"{DAYS[value.weekday()]}, {tanggal_pendek(value, zone)}"


def tanggal_pendek(value: date | datetime | str | None, zone: str = DEFAULT_TIMEZONE) -> str:
    """`date(2021, 4, 12)` → `12 April 2021`."""
    if value is None:
        return ""
    value = _local(value, zone)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _local(value, zone):
    """A datetime (stored as naive UTC, models.py) in timezone `zone`; dates as they are; an ISO day
    ("2021-04-15", as the audit trail's details keep it) as its date."""
    if isinstance(value, str):
        return date.fromisoformat(value)
    if not isinstance(value, datetime):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(zone))


def mask_nik(nik: str | None) -> str:
    """Show the region code and serial only: `5271••••••••0003`."""
    if not nik:
        return ""
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:] if len(nik) > 8 else "•" * len(nik)


def mask_phone(phone: str | None) -> str:
    """`081234567890` → `0812••••7890`."""
    if not phone:
        return ""
    return phone[:4] + "•" * max(len(phone) - 8, 0) + phone[-4:] if len(phone) > 8 else "•" * len(phone)


ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def waktu(value: datetime | None, zone: str = DEFAULT_TIMEZONE) -> str:
    """A moment in the programme's zone: `2 Mei 2021 10.05 WITA` (naive values are UTC)."""
    if value is None:
        return ""
    local = _local(value, zone)
    return f"{tanggal_pendek(local, zone)} {local:%H.%M} {ZONE_NAMES.get(zone, zone)}"
