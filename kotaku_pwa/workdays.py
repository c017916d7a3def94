"""Which days work may be recorded for: inside the KSM's activity period and not in the future."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def today(timezone: str) -> date:
    """Today's date where the programme works (Mataram: WITA)."""
    return datetime.now(ZoneInfo(timezone)).date()


def date_problem(
    day: date,
    start: date,
    end: date,
    today: date,
    recorded_on: date | None = None,
    window_days: int | None = None,
) -> str | None:
    """The Indonesian message saying why `day` cannot be recorded, or None when it can."""
    if day > today:
        return "Tanggal tidak boleh di masa depan."
    if day < start or day > end:
        return f"Tanggal di luar masa kegiatan KSM ({start:%d-%m-%Y} s.d. {end:%d-%m-%Y})."
    if window_days is not None and recorded_on is not None and (recorded_on - day).days > window_days:
        return f"Pencatatan mundur lebih dari {window_days} hari tidak diizinkan."
    return None


def default_day(start: date, end: date, today: date) -> date:
    """The day a work page opens on: today, kept inside the activity period."""
    return min(max(today, start), end)


def week_of(day: date, start: date, end: date) -> list[date]:
    """The Monday-to-Sunday week around `day`, kept inside the activity period."""
    monday = day - timedelta(days=day.weekday())
    week = [monday + timedelta(days=i) for i in range(7)]
    return [d for d in week if start <= d <= end]
