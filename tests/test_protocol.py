"""Health-protocol compliance and the fever rule (kotaku_pwa/protocol.py): pure functions."""

from hypothesis import given
from hypothesis import strategies as st

from kotaku_pwa.protocol import Observed, compliance, fever_rule, items, mean_compliance, stop_rule


def test_a_meeting_that_keeps_every_rule_is_fully_compliant():
    check = Observed("meeting", 20, 20, True, True, True)
    assert compliance(check) == 100


def test_a_meeting_scores_masks_distancing_hand_washing_and_temperature_equally():
    check = Observed("meeting", people_present=20, masks_worn=10, distancing=True, handwash_soap=True)
    # masks 0.5, distancing 1, hand washing 1, temperature 0 → 2.5 / 4
    assert compliance(check) == 62
    assert [label for label, _ in items(check)] == [
        "Masker: 10 dari 20 orang",
        "Jaga jarak",
        "Cuci tangan pakai sabun",
        "Cek suhu tubuh",
    ]


def test_a_work_site_counts_three_temperature_rounds_and_apd():
    check = Observed(
        "worksite",
        30,
        30,
        True,
        True,
        temp_morning=True,
        temp_noon=True,
        temp_afternoon=False,
        apd_workers=True,
    )
    # masks 1, distancing 1, hand washing 1, temperature 2/3, APD 1 → (4 + 2/3) / 5
    assert compliance(check) == 93
    assert len(items(check)) == 5
    assert compliance(Observed("worksite", 30, 30, True, True, apd_workers=False)) == 60


def test_temperature_checked_alone_does_not_count_on_a_work_site():
    """A work site needs its morning, noon and afternoon rounds, not the meeting's single check."""
    assert (
        compliance(Observed("worksite", 10, 10, True, True, temperature_checked=True, apd_workers=True)) == 80
    )


def test_nobody_present_leaves_masks_out():
    check = Observed("meeting", 0, 0, True, True, True)
    assert compliance(check) == 100
    assert len(items(check)) == 3


def test_kelurahan_compliance_is_the_mean_of_its_checks():
    assert mean_compliance([100, 50, 75]) == 75
    assert mean_compliance(iter([90, 91])) == 90  # 90.5 rounds to even
    assert mean_compliance([]) is None


def test_any_fever_case_stops_the_worker_for_the_day():
    assert fever_rule(0) is None
    message = fever_rule(2, "worksite")
    assert message.startswith("2 orang demam.")
    assert "berhenti bekerja hari itu" in message
    assert "tidak ikut pertemuan" in fever_rule(1, "meeting")
    assert stop_rule("worksite") in message


checks = st.builds(
    lambda setting, people, masks, *flags: Observed(setting, people, min(masks, people), *flags),
    st.sampled_from(["meeting", "worksite"]),
    st.integers(0, 500),
    st.integers(0, 500),
    *[st.booleans()] * 7,
)


@given(checks)
def test_compliance_is_always_between_0_and_100(check):
    assert 0 <= compliance(check) <= 100
    assert all(0 <= score <= 1 for _, score in items(check))


@given(checks, st.integers(0, 500))
def test_more_masks_never_lower_compliance(check, more):
    worn = min(check.masks_worn + more, check.people_present)
    wearing_more = Observed(**{**vars(check), "masks_worn": worn})
    assert compliance(wearing_more) >= compliance(check)


@given(st.lists(st.integers(0, 100), min_size=1))
def test_the_mean_stays_within_its_checks(figures):
    assert min(figures) <= mean_compliance(figures) <= max(figures)
