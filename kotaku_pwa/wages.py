"""Wage rules: the daily rate in force for a worker's category, and wages = HOK × daily rate."""

from .models import WAGE_CATEGORIES


def rates_in_force(kota_rates: dict, ksm_overrides: dict) -> dict:
    """Each category's daily rate for a KSM: its own override, else the kota's rate."""
    return {
        c: ksm_overrides.get(c) if ksm_overrides.get(c) is not None else kota_rates[c]
        for c in WAGE_CATEGORIES
    }


def ksm_rates(ksm) -> dict:
    return rates_in_force(ksm.kelurahan.kecamatan.kota.wage_rates(), ksm.wage_overrides())


def wage(hok: int, daily_rate: int) -> int:
    """Wages for `hok` worker-days at `daily_rate` rupiah."""
    return hok * daily_rate
