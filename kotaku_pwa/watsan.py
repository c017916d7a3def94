"""Water and sanitation access of a DFAT kelurahan against the 80 % minimum service (pure rules).

A survey counts the households of the location and those with safe water and with safe sanitation;
coverage is the share in whole percent. Also the TIPP's gender balance and the coverage chart's
geometry (server-rendered SVG, templates/dfat/_chart.html).
"""

from dataclasses import dataclass
from datetime import date

from .vocabulary import SERVICE_TARGET_PERCENT

MAX_HOUSEHOLDS = 100_000  # far above any kelurahan; keeps typing slips out of the figures


def coverage(count, households) -> int | None:
    """`count` of `households` in whole percent (half up), None when nothing was counted."""
    if not households or count is None:
        return None
    return (200 * count + households) // (2 * households)


def meets_target(percent, target=SERVICE_TARGET_PERCENT) -> bool:
    """True when a coverage reaches the minimum service target."""
    return percent is not None and percent >= target


def survey_problems(households, water, sanitation, surveyed_on, programme_years, today) -> dict:
    """Indonesian messages per field for a survey's figures and date; empty when it is sound.

    `programme_years` are the years the DFAT programme runs (the admin's programme years)."""
    problems = {}
    for name, value in (
        ("households", households),
        ("households_safe_water", water),
        ("households_safe_sanitation", sanitation),
    ):
        if value is not None and value < 0:
            problems[name] = "Jumlah rumah tangga tidak boleh negatif."
        elif value is not None and value > MAX_HOUSEHOLDS:
            problems[name] = f"Jumlah rumah tangga paling banyak {MAX_HOUSEHOLDS:,}.".replace(",", ".")
    if households is not None and "households" not in problems:
        for name, value, what in (
            ("households_safe_water", water, "air minum aman"),
            ("households_safe_sanitation", sanitation, "sanitasi aman"),
        ):
            if value is not None and name not in problems and value > households:
                problems[name] = f"Rumah tangga dengan {what} tidak boleh lebih dari jumlah rumah tangga."
    if surveyed_on is not None:
        if surveyed_on > today:
            problems["surveyed_on"] = "Tanggal survei tidak boleh di masa depan."
        elif not programme_years:
            problems["surveyed_on"] = "Tahun program DFAT belum diatur oleh admin."
        elif surveyed_on.year not in programme_years:
            years = ", ".join(str(y) for y in sorted(programme_years))
            problems["surveyed_on"] = f"Tanggal survei di luar tahun program DFAT ({years})."
    return problems


def gender_balance(genders) -> tuple[int, int, int | None]:
    """(men, women, percent women) of a list of "L"/"P"."""
    genders = list(genders)
    women = sum(1 for g in genders if g == "P")
    men = sum(1 for g in genders if g == "L")
    return men, women, coverage(women, men + women)


@dataclass(frozen=True)
class Chart:
    """A line chart of coverage over time, in SVG user units."""

    width: int
    height: int
    target_y: float
    water: str  # polyline points "x,y x,y"
    sanitation: str
    ticks: list  # (x, label) under the axis
    dots: list  # (x, y_water, y_sanitation, title)


def chart(points, width=320, height=160, pad=24) -> Chart:
    """Geometry of the coverage chart: `points` are (date, water %, sanitation %) in date order."""
    points = sorted(points, key=lambda p: p[0])
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y(percent):
        return round(pad + inner_h * (1 - percent / 100), 1)

    if len(points) > 1:
        first, last = points[0][0].toordinal(), points[-1][0].toordinal()
        span = max(last - first, 1)
        xs = [round(pad + inner_w * (d.toordinal() - first) / span, 1) for d, _, _ in points]
    else:
        xs = [pad + inner_w / 2] * len(points)
    water = " ".join(f"{x},{y(w)}" for x, (_, w, _) in zip(xs, points, strict=True))
    sanitation = " ".join(f"{x},{y(s)}" for x, (_, _, s) in zip(xs, points, strict=True))
    ticks = [(x, _short(d)) for x, (d, _, _) in zip(xs, points, strict=True)]
    dots = [
        (x, y(w), y(s), f"{_short(d)}: air minum {w} %, sanitasi {s} %")
        for x, (d, w, s) in zip(xs, points, strict=True)
    ]
    return Chart(width, height, y(SERVICE_TARGET_PERCENT), water, sanitation, ticks, dots)


def _short(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year % 100:02d}"
