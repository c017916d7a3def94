"""Health-protocol compliance (Covid-19, PUPR Inmen 02/2020) as pure functions.

A check scores each protocol item from 0 to 1 and its compliance is the mean, as a whole percent:
masks (the share of people present wearing one), distancing, hand washing with soap, temperature
checks (at a work site: morning, noon and afternoon, a third each) and, at a work site, APD.
Works on anything with the attributes of `Observed` (a HealthCheck row, or an Observed).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Observed:
    """What a health-protocol check records."""

    setting: str = "meeting"  # "meeting" or "worksite"
    people_present: int = 0
    masks_worn: int = 0
    distancing: bool = False
    handwash_soap: bool = False
    temperature_checked: bool = False
    temp_morning: bool = False
    temp_noon: bool = False
    temp_afternoon: bool = False
    apd_workers: bool = False
    fever_cases: int = 0


def items(check) -> list[tuple[str, float]]:
    """(Indonesian label, score 0..1) of each protocol item the check is judged on."""
    scored = []
    if check.people_present > 0:  # nobody present: there is no mask share to judge
        masks = min(check.masks_worn, check.people_present) / check.people_present
        scored.append((f"Masker: {check.masks_worn} dari {check.people_present} orang", masks))
    scored.append(("Jaga jarak", float(bool(check.distancing))))
    scored.append(("Cuci tangan pakai sabun", float(bool(check.handwash_soap))))
    if check.setting == "worksite":
        times = sum(map(bool, (check.temp_morning, check.temp_noon, check.temp_afternoon)))
        scored.append((f"Cek suhu tubuh pagi, siang, sore: {times} dari 3 kali", times / 3))
        scored.append(("APD dipakai pekerja", float(bool(check.apd_workers))))
    else:
        scored.append(("Cek suhu tubuh", float(bool(check.temperature_checked))))
    return scored


def compliance(check) -> int:
    """The check's compliance, 0–100."""
    scores = [score for _, score in items(check)]
    return round(100 * sum(scores) / len(scores))


def mean_compliance(figures) -> int | None:
    """A kelurahan's (or KSM's) compliance: the mean of its checks' figures; None without checks."""
    figures = list(figures)
    return round(sum(figures) / len(figures)) if figures else None


def stop_rule(setting="worksite") -> str:
    """What happens to someone with a fever, at a work site or a meeting."""
    who = (
        "Pekerja yang demam berhenti bekerja" if setting == "worksite" else "Yang demam tidak ikut pertemuan"
    )
    return f"{who} hari itu, pulang beristirahat dan dianjurkan periksa ke puskesmas."


def fever_rule(fever_cases, setting="worksite") -> str | None:
    """The fever rule for a check: None when nobody has a fever."""
    if not fever_cases:
        return None
    return f"{fever_cases} orang demam. {stop_rule(setting)}"
