"""The KSM money ledger as plain functions: balance and the alerts a treasurer must see."""

from bisect import bisect_right
from datetime import date, timedelta

UNPAID_GRACE_DAYS = 7


def balance(receipts: int, wages_paid: int, spending: int) -> int:
    """Money the KSM should hold: tranche receipts − wages paid − other spending."""
    return receipts - wages_paid - spending


def late_periods(periods, today: date) -> list:
    """Periods (start, end, outstanding rupiah) still unpaid more than 7 days after they ended."""
    return [p for p in periods if p[2] > 0 and today > p[1] + timedelta(days=UNPAID_GRACE_DAYS)]


def short_of_wages(balance_now: int, wages_outstanding: int) -> bool:
    """True when the cash left cannot pay the wages already earned."""
    return wages_outstanding > 0 and balance_now < wages_outstanding


def period_balances(periods, due_by_day: dict, paid_by_start: dict, today: date) -> list:
    """(start, end, due, paid, outstanding) of each pay period begun by `today`: what its present
    days earned (`due_by_day`: day → rupiah), what was paid for it (`paid_by_start`: first day →
    rupiah) and what is still owed (never below zero)."""
    begun = [(start, end) for start, end in periods if start <= today]
    starts = [start for start, _ in begun]
    due = [0] * len(begun)
    for day, amount in due_by_day.items():
        i = bisect_right(starts, day) - 1
        if i >= 0 and day <= begun[i][1]:
            due[i] += amount
    return [
        (start, end, d, paid_by_start.get(start, 0), max(d - paid_by_start.get(start, 0), 0))
        for (start, end), d in zip(begun, due, strict=True)
    ]
