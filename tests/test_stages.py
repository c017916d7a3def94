"""The stage a kelurahan has reached (kotaku_pwa/stages.py): pure functions."""

from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa.stages import LABELS, STAGES, evidence, progress


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
