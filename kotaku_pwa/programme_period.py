"""The programme period dates must lie in: the programme as a whole (meetings, health checks, the
phone's clock) and a KSM's programme years (its tranches and spending). Pure rules, and the one
setting they read."""

from datetime import date

from flask import current_app

PROGRAMME_START = date(2020, 1, 1)  # KOTAKU's Cash For Work began in 2020; `PROGRAMME_START` overrides


def programme_start() -> date:
    """The first day any record of the programme may carry (config `PROGRAMME_START`)."""
    return current_app.config.get("PROGRAMME_START", PROGRAMME_START)


def ksm_window(start: date, end: date) -> tuple[date, date]:
    """A KSM's money moves within the programme years of its activity: tranches may arrive and tools be
    bought before the work starts, and the books close by the end of the year the work ends."""
    return date(start.year, 1, 1), date(end.year, 12, 31)


def outside(day: date, first: date, last: date, what: str = "Tanggal") -> str | None:
    """The Indonesian message when `day` is outside [first, last], else None."""
    if first <= day <= last:
        return None
    return f"{what} di luar masa program ({first:%d-%m-%Y} s.d. {last:%d-%m-%Y})."


def not_before(day: date, first: date, what: str = "Tanggal") -> str | None:
    """The Indonesian message when `day` is before the programme began, else None."""
    if day >= first:
        return None
    return f"{what} sebelum masa program ({first:%d-%m-%Y})."


def tranche_problem(number: int, stages: int) -> str | None:
    """A tranche (tahap) must be one of the plan's stages, 1 to `stages`."""
    if 1 <= number <= stages:
        return None
    return f"Tahap pencairan di luar rencana (tahap 1 s.d. {stages})."
