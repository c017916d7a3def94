"""How far a kelurahan has come: sosialisasi → coaching KSM → MP2K → works → LPJ (pure rules).

Each stage is done when there is evidence of it: a meeting of that type for the first three, HOK
recorded for the works, and for the LPJ an activity period that has ended with every rupiah of wages
due paid. The stage reached is the furthest one done, even when an earlier one was never recorded
(the per-stage flags show such gaps).
"""

from dataclasses import dataclass

STAGES = ("sosialisasi", "coaching_ksm", "mp2k", "works", "lpj")
LABELS = {
    "sosialisasi": "Sosialisasi",
    "coaching_ksm": "Coaching KSM",
    "mp2k": "MP2K",
    "works": "Pelaksanaan pekerjaan",
    "lpj": "LPJ",
}


@dataclass(frozen=True)
class Progress:
    stage: str | None  # the furthest stage done, None before any
    done: dict  # stage → bool, in STAGES order

    @property
    def label(self):
        return LABELS[self.stage] if self.stage else "Belum mulai"


def evidence(meetings) -> set:
    """The meeting types a kelurahan's meetings evidence, from (type, topics) pairs: an MP2K that
    recorded the coaching topics also counts as coaching KSM, as the two are often held together."""
    held = set()
    for kind, topics in meetings:
        held.add(kind)
        if kind == "mp2k" and topics:
            held.add("coaching_ksm")
    return held


def progress(meeting_types, hok, activity_ended, wages_due, wages_paid) -> Progress:
    """The stage reached and which stages are done, from the evidence recorded."""
    held = set(meeting_types)
    done = {
        "sosialisasi": "sosialisasi" in held,
        "coaching_ksm": "coaching_ksm" in held,
        "mp2k": "mp2k" in held,
        "works": hok > 0,
        "lpj": bool(activity_ended) and wages_due > 0 and wages_paid >= wages_due,
    }
    reached = [stage for stage in STAGES if done[stage]]
    return Progress(reached[-1] if reached else None, done)
