"""The stage a kelurahan has reached (kotaku_pwa/stages.py): pure functions."""

from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa.stages import (
    DFAT_STAGES,
    LABELS,
    STAGES,
    coaching_recorded,
    dfat_progress,
    evidence,
    progress,
)


def test_nothing_recorded_is_not_started():
    p = progress(set(), 0, False, 0, 0)
    assert p.stage is None
    assert p.label == "Belum mulai"
    assert list(p.done) == list(STAGES)
    assert not any(p.done.values())


def test_meetings_move_the_kelurahan_through_the_first_stages():
    assert progress({"sosialisasi"}, 0, False, 0, 0).stage == "sosialisasi"
    assert progress({"sosialisasi", "coaching_ksm"}, 0, False, 0, 0).stage == "coaching_ksm"
    assert progress({"sosialisasi", "coaching_ksm", "mp2k", "fgd"}, 0, False, 0, 0).stage == "mp2k"


def test_hok_recorded_means_works_have_started():
    p = progress({"sosialisasi", "coaching_ksm", "mp2k"}, 120, False, 9_120_000, 0)
    assert (p.stage, p.label) == ("works", LABELS["works"])


def test_lpj_needs_the_period_ended_and_every_wage_paid():
    held = {"sosialisasi", "coaching_ksm", "mp2k"}
    assert progress(held, 120, True, 9_120_000, 9_120_000).stage == "lpj"
    assert progress(held, 120, True, 9_120_000, 9_500_000).stage == "lpj"
    assert progress(held, 120, True, 9_120_000, 9_000_000).stage == "works"  # wages still owed
    assert progress(held, 120, False, 9_120_000, 9_120_000).stage == "works"  # still working
    assert progress(held, 0, True, 0, 0).stage == "mp2k"  # nothing was due: no LPJ to make


def test_the_furthest_stage_counts_and_the_flags_show_the_gaps():
    p = progress({"mp2k"}, 40, False, 3_040_000, 0)
    assert p.stage == "works"
    assert p.done == {"sosialisasi": False, "coaching_ksm": False, "mp2k": True, "works": True, "lpj": False}


@given(
    st.sets(st.sampled_from(["sosialisasi", "coaching_ksm", "mp2k", "tipp", "fgd", "other"])),
    st.integers(0, 10_000),
    st.booleans(),
    st.integers(0, 10**9),
    st.integers(0, 10**9),
)
def test_the_stage_reached_is_always_the_last_one_done(held, hok, ended, due, paid):
    p = progress(held, hok, ended, due, paid)
    done = [s for s in STAGES if p.done[s]]
    assert p.stage == (done[-1] if done else None)


def test_an_mp2k_with_coaching_topics_counts_as_coaching():
    held = evidence([("sosialisasi", []), ("mp2k", ["k3", "upah"])])
    assert held == {"sosialisasi", "mp2k", "coaching_ksm"}
    assert progress(held, 0, False, 0, 0).done["coaching_ksm"]


def test_an_mp2k_without_topics_is_not_coaching():
    held = evidence([("mp2k", []), ("mp2k", None)])
    assert held == {"mp2k"}
    assert not progress(held, 0, False, 0, 0).done["coaching_ksm"]


# --- an MP2K held with coaching KSM (issue 10 item 1) ------------------------------------------------


def test_an_mp2k_that_recorded_the_coaching_topics_counts_as_coaching():
    with_topics = progress({"sosialisasi", "mp2k"}, 0, False, 0, 0, coached_at_mp2k=True)
    without = progress({"sosialisasi", "mp2k"}, 0, False, 0, 0)
    assert with_topics.done["coaching_ksm"] is True
    assert without.done["coaching_ksm"] is False
    # Recorded coaching topics without an MP2K held prove nothing about coaching.
    assert progress({"sosialisasi"}, 0, False, 0, 0, coached_at_mp2k=True).done["coaching_ksm"] is False


def test_coaching_recorded_needs_a_coaching_topic():
    assert coaching_recorded([["concept", "lpj"]]) is True
    assert coaching_recorded([[], ["funds"]]) is True
    assert coaching_recorded([[], None]) is False
    assert coaching_recorded([["slum_problems"]]) is False  # an FGD topic is not coaching
    assert coaching_recorded([]) is False


# --- the DFAT chain (issue 13) -------------------------------------------------------------------------


def test_dfat_has_its_own_sequence_and_labels():
    p = dfat_progress(set(), 0, False, False, False)
    assert list(p.done) == list(DFAT_STAGES)
    assert DFAT_STAGES == ("sosialisasi", "tipp", "fgd_survey", "identification", "design", "construction")
    assert (p.stage, p.label, p.programme) == (None, "Belum mulai", "DFAT")
    assert LABELS["identification"] == "Identifikasi masalah dan kebutuhan air minum dan sanitasi"


def test_dfat_stages_follow_their_evidence():
    assert dfat_progress({"sosialisasi"}, 0, False, False, False).stage == "sosialisasi"
    assert dfat_progress({"sosialisasi", "tipp"}, 0, False, False, False).stage == "tipp"
    assert dfat_progress({"sosialisasi"}, 9, False, False, False).stage == "tipp"  # a register, no meeting
    assert dfat_progress({"sosialisasi", "tipp", "survey"}, 9, False, False, False).stage == "fgd_survey"
    assert dfat_progress({"fgd"}, 9, True, False, False).stage == "identification"
    assert dfat_progress({"fgd"}, 9, True, True, False).stage == "design"
    assert dfat_progress(set(), 0, False, False, True).stage == "construction"
    # CFW meetings of the chain (coaching, MP2K) are not DFAT evidence.
    assert dfat_progress({"coaching_ksm", "mp2k"}, 0, False, False, False).stage is None


def test_cfw_progress_says_it_is_cfw():
    assert progress({"sosialisasi"}, 0, False, 0, 0).programme == "CFW"


@given(
    st.sets(st.sampled_from(["sosialisasi", "tipp", "fgd", "survey", "coaching_ksm", "other"])),
    st.integers(0, 30),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_the_dfat_stage_reached_is_always_the_last_one_done(held, members, identified, design, works):
    p = dfat_progress(held, members, identified, design, works)
    done = [s for s in DFAT_STAGES if p.done[s]]
    assert p.stage == (done[-1] if done else None)
