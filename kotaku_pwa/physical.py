"""Physical progress of a KSM's works (the LPJ's 0 / 50 / 100 % photos) as pure functions.

A report says how far the works (or one work item) are, in whole percent. A KSM with work items is
as far as the cost-weighted mean of its items' latest percents; a kelurahan (export.csv's
`progress_percent`) is the budget-weighted mean of its KSMs, a KSM without a report counting as 0.
"""

from dataclasses import dataclass
from datetime import date, timedelta

MILESTONES = (0, 50, 100)  # the percents the LPJ shows a photo of


def lower_needs_note(previous: int | None, percent: int, notes: str | None) -> bool:
    """True when a report goes back below the previous one without saying why in its notes."""
    return previous is not None and percent < previous and not (notes or "").strip()


def milestone_asked(previous: int | None, percent: int) -> int | None:
    """The milestone (0, 50 or 100) whose photo this report is asked for: the highest one it reaches
    that the previous report had not reached; None when it reaches no new milestone."""
    reached = [m for m in MILESTONES if percent >= m and (previous is None or previous < m)]
    return reached[-1] if reached else None


def weighted_percent(parts) -> int:
    """The weighted mean of (weight, percent or None) pairs, a missing percent counting as 0, as a
    whole number (half up); equal weights when no weight is positive; 0 for nothing."""
    parts = [(max(weight or 0, 0), percent or 0) for weight, percent in parts]
    if not parts:
        return 0
    total = sum(weight for weight, _ in parts)
    if total <= 0:
        parts = [(1, percent) for _, percent in parts]
        total = len(parts)
    return int(sum(weight * percent for weight, percent in parts) / total + 0.5)


def ksm_percent(latest_overall: int | None, items) -> int:
    """A KSM's percent: with work items, their cost-weighted mean ((planned cost, latest percent or
    None) per item); without, its latest report's percent (0 without any)."""
    items = list(items)
    if items:
        return weighted_percent(items)
    return latest_overall or 0


def share(part: int, whole: int) -> int | None:
    """`part` as a whole percent of `whole`; None when there is no whole."""
    return round(100 * part / whole) if whole else None


def weeks(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar weeks (Monday to Sunday) from the week holding `start` to the one holding `end`."""
    if end < start:
        return []
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday <= end:
        out.append((monday, monday + timedelta(days=6)))
        monday += timedelta(days=7)
    return out


@dataclass(frozen=True)
class Week:
    """One row of the weekly report (Form 44b's shape)."""

    start: date
    end: date
    physical: int  # percent complete at the week's end
    absorbed: int | None  # money spent (wages paid + other spending) so far, percent of the budget
    hok: int
    men: int  # workers present at least one day of the week
    women: int
    wages_paid: int  # in the week


def week_rows(week_list, budget, percent_at, attendance, payments, spending) -> list[Week]:
    """The weekly report's rows. `percent_at(day)` is the percent complete at a day's end;
    attendance: (worker id, gender, day) of present days; payments, spending: (day, rupiah)."""
    rows = []
    for start, end in week_list:
        present = {(worker, gender) for worker, gender, day in attendance if start <= day <= end}
        spent = sum(a for d, a in payments if d <= end) + sum(a for d, a in spending if d <= end)
        rows.append(
            Week(
                start=start,
                end=end,
                physical=percent_at(end),
                absorbed=share(spent, budget),
                hok=sum(1 for _, _, day in attendance if start <= day <= end),
                men=sum(1 for _, g in present if g == "L"),
                women=sum(1 for _, g in present if g == "P"),
                wages_paid=sum(a for d, a in payments if start <= d <= end),
            )
        )
    return rows


def combine_weeks(tables, budgets) -> list[Week]:
    """A kelurahan's weekly rows from its KSMs' (same weeks each): sums, and the physical percent and
    absorption weighted by budget."""
    tables = list(tables)
    if not tables:
        return []
    total_budget = sum(budgets)
    rows = []
    for i, first in enumerate(tables[0]):
        week = [table[i] for table in tables]
        absorbed = sum((w.absorbed or 0) * b for w, b in zip(week, budgets, strict=True))
        rows.append(
            Week(
                start=first.start,
                end=first.end,
                physical=weighted_percent([(b, w.physical) for w, b in zip(week, budgets, strict=True)]),
                absorbed=round(absorbed / total_budget) if total_budget else None,
                hok=sum(w.hok for w in week),
                men=sum(w.men for w in week),
                women=sum(w.women for w in week),
                wages_paid=sum(w.wages_paid for w in week),
            )
        )
    return rows


def percent_on(day: date, reports, items: dict) -> int:
    """A KSM's percent at a day's end from its reports ((day, work item id or None, percent), in the
    order they were made) and its items ({id: planned cost}): each item's latest percent up to that
    day, cost-weighted; without items, the latest report's percent (0 without any)."""
    latest = {}
    for reported_on, item_id, percent in sorted(reports, key=lambda report: report[0]):
        if reported_on <= day:
            latest[item_id] = percent
    if items:
        return weighted_percent([(cost, latest.get(item_id)) for item_id, cost in items.items()])
    return latest.get(None, 0)
