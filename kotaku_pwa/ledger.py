"""The KSM money ledger as plain functions: balance and the alerts a treasurer must see."""

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
