"""Wage rules as plain functions: rates in force, pay periods, the wage list, wage share.

Wages = HOK × the daily rate of the worker's category (the KSM's override, else the kota's).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from .vocabulary import PERIOD_DAYS, WAGE_CATEGORIES

MAX_DAILY_RATE = 1_000_000  # more than this per day is surely a typing error
DEFAULT_WAGE_SHARE_TARGET = 70
NO_PROOF_MIN = 10  # characters of a reason for a cash payment made without signature or photo


def rates_in_force(kota_rates: dict, ksm_overrides: dict) -> dict:
    """Each category's daily rate for a KSM: its own override, else the kota's rate."""
    return {
        c: ksm_overrides.get(c) if ksm_overrides.get(c) is not None else kota_rates[c]
        for c in WAGE_CATEGORIES
    }


def wage(hok: int, daily_rate: int) -> int:
    """Wages for `hok` worker-days at `daily_rate` rupiah."""
    return hok * daily_rate


def pay_periods(start: date, end: date, period: str = "weekly") -> list[tuple[date, date]]:
    """The KSM's pay periods from its first working day, the last one cut at its end."""
    length = timedelta(days=PERIOD_DAYS[period])
    periods, first = [], start
    while first <= end:
        periods.append((first, min(first + length - timedelta(days=1), end)))
        first += length
    return periods


def period_of(day: date, start: date, end: date, period: str = "weekly") -> tuple[date, date]:
    """The pay period holding `day` (kept inside the activity period)."""
    day = min(max(day, start), end)
    offset = (day - start).days // PERIOD_DAYS[period] * PERIOD_DAYS[period]
    first = start + timedelta(days=offset)
    return first, min(first + timedelta(days=PERIOD_DAYS[period] - 1), end)


@dataclass(frozen=True)
class PeriodDays:
    """One worker's recorded days of one pay period (the worker's page)."""

    start: date
    end: date
    present: tuple  # dates, in order: each one HOK
    absent: tuple

    @property
    def hok(self) -> int:
        return len(self.present)


def days_by_period(days, periods) -> list[PeriodDays]:
    """A worker's recorded days, (date, present) pairs, grouped into the pay periods that hold any."""
    grouped = []
    for start, end in periods:
        inside = sorted((day, present) for day, present in days if start <= day <= end)
        if inside:
            present = tuple(day for day, p in inside if p)
            grouped.append(PeriodDays(start, end, present, tuple(day for day, p in inside if not p)))
    return grouped


@dataclass(frozen=True)
class WageLine:
    """One worker's line of a wage list."""

    worker_id: int
    hok: int
    rate: int
    paid: int  # rupiah already paid for the period (net of reversals)

    @property
    def due(self) -> int:
        return wage(self.hok, self.rate)

    @property
    def outstanding(self) -> int:
        return max(self.due - self.paid, 0)

    @property
    def overpaid(self) -> int:
        """Kelebihan bayar: paid beyond what is due now (a paid day corrected away)."""
        return max(self.paid - self.due, 0)

    @property
    def shortfall(self) -> int:
        """Kekurangan bayar: due beyond what was paid, once something was paid (a day added later)."""
        return self.outstanding if self.paid else 0


def wage_lines(workers, hok_by_worker: dict, rates: dict, paid_by_worker: dict) -> list[WageLine]:
    """The wage list of a period: (worker id, category) pairs → what is due, paid and outstanding."""
    return [
        WageLine(
            worker_id, hok_by_worker.get(worker_id, 0), rates[category], paid_by_worker.get(worker_id, 0)
        )
        for worker_id, category in workers
    ]


def totals(lines: list[WageLine]) -> dict:
    return {
        "hok": sum(line.hok for line in lines),
        "due": sum(line.due for line in lines),
        "paid": sum(line.paid for line in lines),
        "outstanding": sum(line.outstanding for line in lines),
        "overpaid": sum(line.overpaid for line in lines),
        "shortfall": sum(line.shortfall for line in lines),
    }


def wage_share(wages_paid: int, other_spending: int) -> float | None:
    """Wages paid ÷ BPM spent (wages + tools, materials, APD); None before anything is spent."""
    spent = wages_paid + other_spending
    return wages_paid / spent if spent else None


def payment_problems(days, daily_rate, amount, rate_in_force, hok_in_period) -> dict[str, str]:
    """Field → message for a payment's money: amount = days × rate in force, days ≤ HOK recorded."""
    errors = {}
    if days is not None and days < 1:
        errors["days"] = "Jumlah hari minimal 1."
    elif days is not None and days > hok_in_period:
        errors["days"] = f"Melebihi HOK tercatat pada periode ini ({hok_in_period} hari)."
    if daily_rate is not None:
        if daily_rate <= 0 or daily_rate > MAX_DAILY_RATE:
            errors["daily_rate"] = (
                "Upah harian tidak wajar (harus lebih dari 0 dan paling banyak Rp 1.000.000)."
            )
        elif daily_rate != rate_in_force:
            errors["daily_rate"] = f"Upah harian harus sesuai tarif yang berlaku: {rate_in_force}."
    if amount is not None:
        if amount < 0:
            errors["amount"] = "Jumlah tidak boleh negatif."
        elif days is not None and daily_rate is not None and amount != days * daily_rate:
            errors["amount"] = f"Jumlah harus sama dengan hari × upah harian ({days * daily_rate})."
    return errors


def proof_problems(signature, photo, no_proof_reason) -> dict[str, str]:
    """Field → message for a cash payment's proof: a signature or a photo, else a reason of at least
    NO_PROOF_MIN characters (stored and flagged: a wage is never held back because a phone failed)."""
    if signature or photo:
        return {}
    reason = (no_proof_reason or "").strip()
    if len(reason) >= NO_PROOF_MIN:
        return {}
    ask = "Minta tanda tangan pekerja atau foto daftar bercap jempol, atau tulis alasan tanpa bukti."
    if not reason:
        return {"signature": ask}
    short = f"Alasan tanpa bukti paling sedikit {NO_PROOF_MIN} karakter."
    return {"signature": ask, "no_proof_reason": short}
