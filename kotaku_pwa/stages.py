"""How far a kelurahan has come, per programme (pure rules).

CFW: sosialisasi → coaching KSM → MP2K → works → LPJ. Each stage is done when there is evidence of
it: a meeting of that type for the first three (an MP2K that recorded the coaching topics counts as
coaching KSM too: the seed holds the two together), HOK recorded for the works, and for the LPJ an
activity period that has ended with every rupiah of wages due paid.

DFAT (issue 13): sosialisasi → TIPP → FGD / survei lokasi → identifikasi masalah dan kebutuhan air
minum dan sanitasi → desain konsep → konstruksi.

The stage reached is the furthest one done, even when an earlier one was never recorded (the
per-stage flags show such gaps).
"""

from dataclasses import dataclass

from .vocabulary import COACHING_TOPICS

STAGES = ("sosialisasi", "coaching_ksm", "mp2k", "works", "lpj")
DFAT_STAGES = ("sosialisasi", "tipp", "fgd_survey", "identification", "design", "construction")
LABELS = {
    "sosialisasi": "Sosialisasi",
    "coaching_ksm": "Coaching KSM",
    "mp2k": "MP2K",
    "works": "Pelaksanaan pekerjaan",
    "lpj": "LPJ",
    "tipp": "TIPP dibentuk / direvitalisasi",
    "fgd_survey": "FGD / survei lokasi",
    "identification": "Identifikasi masalah dan kebutuhan air minum dan sanitasi",
    "design": "Desain konsep",
    "construction": "Konstruksi",
}


@dataclass(frozen=True)
class Progress:
    stage: str | None  # the furthest stage done, None before any
    done: dict  # stage → bool, in the programme's order (STAGES or DFAT_STAGES)
    programme: str = "CFW"

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


def _reached(done, programme):
    reached = [stage for stage, ok in done.items() if ok]
    return Progress(reached[-1] if reached else None, done, programme)


def coaching_recorded(topic_lists) -> bool:
    """True when any of these meetings' topic lists (an MP2K's) holds a coaching topic."""
    return any(code in COACHING_TOPICS for topics in topic_lists for code in topics or ())


def progress(meeting_types, hok, activity_ended, wages_due, wages_paid, coached_at_mp2k=False) -> Progress:
    """The CFW stage reached and which stages are done, from the evidence recorded."""
    held = set(meeting_types)
    done = {
        "sosialisasi": "sosialisasi" in held,
        "coaching_ksm": "coaching_ksm" in held or ("mp2k" in held and bool(coached_at_mp2k)),
        "mp2k": "mp2k" in held,
        "works": hok > 0,
        "lpj": bool(activity_ended) and wages_due > 0 and wages_paid >= wages_due,
    }
    return _reached(done, "CFW")


def dfat_progress(meeting_types, tipp_members, identified, design_done, works) -> Progress:
    """The DFAT stage reached: DFAT meetings held, TIPP members registered, problems and needs (or a
    water/sanitation survey) recorded, the concept design agreed, and construction (HOK) begun."""
    held = set(meeting_types)
    done = {
        "sosialisasi": "sosialisasi" in held,
        "tipp": "tipp" in held or tipp_members > 0,
        "fgd_survey": bool(held & {"fgd", "survey"}),
        "identification": bool(identified),
        "design": bool(design_done),
        "construction": bool(works),
    }
    return _reached(done, "DFAT")
