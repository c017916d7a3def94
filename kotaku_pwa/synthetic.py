"""The rows of `flask generate` besides workers and attendance: payments, meetings, health checks,
tranche receipts and spending of one synthetic KSM, as dicts for multi-row INSERTs (bulk, fast).

The figures are realistic for the dashboard: every ended pay period is paid from the HOK recorded,
except the last one in one kelurahan of ten (late wages); one payment in fifty has no signature or
photo (flagged) and one per KSM is reversed and paid again; each kelurahan held sosialisasi, coaching
KSM and MP2K, and a work-site health check each week.
"""

import hashlib
import itertools
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


_RUN = uuid.uuid4().int >> 64 << 64  # a random first half per process
_SERIAL = itertools.count()


def new_uuid() -> str:
    """A uuid that sorts after the one before (a random first half, then a counter): the rows of a
    run fill the uuid indexes in order, where random uuid4s would each land on another index page
    (at millions of rows, a page cache miss and a page written per row)."""
    return str(uuid.UUID(int=_RUN | next(_SERIAL)))


def synced(creator):
    """The columns every record made on a phone carries, for a generated row."""
    return {"uuid": new_uuid(), "payload_hash": "generated", "created_by_id": creator}


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
                    **synced(creator),
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
    return {**payment, **synced(creator), **SIGNED, "round": 2}


def meetings(kelurahan, ksm, days, creator):
    """Sosialisasi, coaching KSM and MP2K before the works started."""
    base = {"kelurahan_id": kelurahan.id, "ksm_id": ksm.id, "programme": "CFW", "place": "Balai warga"}
    return [
        {**synced(creator), **base, "type": "sosialisasi", "held_on": days[0] - timedelta(days=14)},
        {
            **synced(creator),
            **base,
            "type": "coaching_ksm",
            "held_on": days[0] - timedelta(days=7),
            "topics": list(COACHING_TOPICS),
        },
        {
            **synced(creator),
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
            **synced(creator),
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
        **synced(creator),
        "ksm_id": ksm.id,
        "tranche": 1,
        "amount": ksm.budget * 70 // 100,
        "received_on": days[0] - timedelta(days=5),
    }
    spending = [
        {
            **synced(creator),
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
