"""The rows of `flask generate` besides workers and attendance: payments, meetings, health checks,
tranche receipts and spending of one synthetic KSM, as dicts for multi-row INSERTs (bulk, fast).

The figures are realistic for the dashboard: every ended pay period is paid from the HOK recorded,
except the last one in one kelurahan of ten (late wages); one payment in fifty has no signature or
photo (flagged) and one per KSM is reversed and paid again; each kelurahan held sosialisasi, coaching
KSM and MP2K, and a work-site health check each week.
"""

import hashlib
import uuid
from datetime import timedelta

from .vocabulary import COACHING_TOPICS, MP2K_OUTCOMES
from .wages import pay_periods

SIGNATURE = b"\x89PNG\r\n\x1a\n" + b"\0" * 24  # a stand-in: the dashboard only asks whether there is one
# Every generated payment names this one object (`flask generate` puts it in the image store once).
SIGNED = {"signature_key": hashlib.sha256(SIGNATURE).hexdigest(), "signature_size": len(SIGNATURE)}
UNSIGNED = {"signature_key": None, "signature_size": None}


def present(worker_id, day) -> bool:
    """Whether a synthetic worker came to work on a day (about 8 days in 9)."""
    return (worker_id + day.day) % 9 != 0


def _synced(creator):
    return {"uuid": str(uuid.uuid4()), "payload_hash": "generated", "created_by_id": creator}


def payments(ksm, k, worker_ids, days, rate, creator):
    """(payments, index of the one to reverse) for the KSM's ended pay periods."""
    periods = pay_periods(days[0], days[-1], ksm.pay_period or "weekly")
    if k % 10 == 0:
        periods = periods[:-1]  # the last week still unpaid: late wages on the dashboard
    rows = []
    for start, end in periods:
        span = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        for worker_id in worker_ids:
            hok = sum(present(worker_id, day) for day in span)
            if not hok:
                continue
            proof = UNSIGNED if (worker_id + start.day) % 50 == 0 else SIGNED
            rows.append(
                {
                    **_synced(creator),
                    "ksm_id": ksm.id,
                    "worker_id": worker_id,
                    "period_start": start,
                    "period_end": end,
                    "days": hok,
                    "daily_rate": rate,
                    "amount": hok * rate,
                    "paid_on": end + timedelta(days=2),
                    "method": "cash",
                    **proof,
                    "round": 1,
                }
            )
    return rows


def paid_again(payment, creator):
    """The payment made again after a reversal (its next round)."""
    return {**payment, **_synced(creator), **SIGNED, "round": 2}


def meetings(kelurahan, ksm, days, creator):
    """Sosialisasi, coaching KSM and MP2K before the works started."""
    base = {"kelurahan_id": kelurahan.id, "ksm_id": ksm.id, "programme": "CFW", "place": "Balai warga"}
    return [
        {**_synced(creator), **base, "type": "sosialisasi", "held_on": days[0] - timedelta(days=14)},
        {
            **_synced(creator),
            **base,
            "type": "coaching_ksm",
            "held_on": days[0] - timedelta(days=7),
            "topics": list(COACHING_TOPICS),
        },
        {
            **_synced(creator),
            **base,
            "type": "mp2k",
            "held_on": days[0] - timedelta(days=3),
            "topics": list(COACHING_TOPICS),
            "outcomes": list(MP2K_OUTCOMES),
        },
    ]


def checks(kelurahan, ksm, k, days, people, creator):
    """A work-site health check each week; one kelurahan in eight keeps the protocol poorly."""
    poor = k % 8 == 0
    return [
        {
            **_synced(creator),
            "kelurahan_id": kelurahan.id,
            "ksm_id": ksm.id,
            "checked_on": day,
            "setting": "worksite",
            "people_present": people,
            "masks_worn": people // 2 if poor else people,
            "distancing": not poor,
            "handwash_soap": True,
            "temperature_checked": True,
            "temp_morning": True,
            "temp_noon": not poor,
            "temp_afternoon": not poor,
            "apd_workers": not poor,
            "fever_cases": 0,
        }
        for day in days[::7]
    ]


def money(ksm, days, creator):
    """(tranche receipt, spending) of the KSM: tahap I received, tools and APD bought."""
    receipt = {
        **_synced(creator),
        "ksm_id": ksm.id,
        "tranche": 1,
        "amount": ksm.budget * 70 // 100,
        "received_on": days[0] - timedelta(days=5),
    }
    spending = [
        {
            **_synced(creator),
            "ksm_id": ksm.id,
            "spent_on": days[0] + timedelta(days=i),
            "category": category,
            "description": label,
            "amount": amount,
        }
        for i, (category, label, amount) in enumerate(
            (("alat", "Cangkul dan gerobak", 12_000_000), ("apd", "Masker, sarung tangan, sepatu", 6_000_000))
        )
    ]
    return receipt, spending
