"""Pure unit tests of the scope rule (kotaku_pwa/scope.py): who reads, writes and reviews what."""

import pytest

from kotaku_pwa.records.registry import KINDS, WRITERS, may_write
from kotaku_pwa.scope import Place, Scope, can_read, can_review, can_write

KOTA, OTHER_KOTA = 1, 2
KEL_A, KEL_B, KEL_OTHER = 10, 11, 12
KSM_A1, KSM_A2, KSM_B1, KSM_OTHER = 100, 101, 110, 120

FASILITATOR = Scope("fasilitator", kelurahan_ids=frozenset({KEL_A, KEL_B}))
BENDAHARA = Scope("bendahara", ksm_id=KSM_A1)
SUPERVISOR = Scope("supervisor", kota_id=KOTA)
ADMIN = Scope("admin")

# Every kind the sync engine accepts: a new kind is covered (and must get its writers below) by itself.
ALL_KINDS = tuple(KINDS)

# Places: the bendahara's KSM, another KSM of the same kelurahan, the faskel's second kelurahan,
# a kelurahan of the same kota outside the faskel's scope, and one in another kota.
PLACES = {
    "ksm_a1": Place(KOTA, KEL_A, KSM_A1),
    "ksm_a2": Place(KOTA, KEL_A, KSM_A2),
    "kel_a": Place(KOTA, KEL_A),
    "ksm_b1": Place(KOTA, KEL_B, KSM_B1),
    "kel_b": Place(KOTA, KEL_B),
    "ksm_other": Place(KOTA, KEL_OTHER, KSM_OTHER),
    "kel_other": Place(KOTA, KEL_OTHER),
    "kota": Place(KOTA),
    "other_kota_ksm": Place(OTHER_KOTA, 99, 999),
    "other_kota": Place(OTHER_KOTA),
}

# What each scope may read, place by place.
READABLE = {
    "fasilitator": {"ksm_a1", "ksm_a2", "kel_a", "ksm_b1", "kel_b"},
    "bendahara": {"ksm_a1"},
    "supervisor": {"ksm_a1", "ksm_a2", "kel_a", "ksm_b1", "kel_b", "ksm_other", "kel_other", "kota"},
    "admin": set(PLACES),
}
SCOPES = {"fasilitator": FASILITATOR, "bendahara": BENDAHARA, "supervisor": SUPERVISOR, "admin": ADMIN}


@pytest.mark.parametrize("role", SCOPES)
@pytest.mark.parametrize("place_name", PLACES)
def test_can_read(role, place_name):
    assert can_read(SCOPES[role], PLACES[place_name]) is (place_name in READABLE[role])


# SPEC "Who writes which kind".
SPEC_WRITERS = {
    "worker": {"fasilitator", "admin"},
    "meeting": {"fasilitator", "admin"},
    "attendance": {"fasilitator", "bendahara", "admin"},
    "health_check": {"fasilitator", "bendahara", "admin"},
    "payment": {"bendahara", "admin"},
    # The KSM ledger (issue 4): tranche receipts and non-wage spending are the treasurer's.
    "tranche": {"bendahara", "admin"},
    "spending": {"bendahara", "admin"},
    "watsan_survey": {"fasilitator", "admin"},  # docs/contracts.md (issue 13)
    "verification": {"supervisor", "admin"},  # SPEC: supervisor (their kota) and admin
    # docs/contracts.md: progress reports are the facilitator's (issue 12).
    "progress": {"fasilitator", "admin"},
}


def test_every_kind_has_its_expected_writers():
    assert set(ALL_KINDS) == set(SPEC_WRITERS) == set(WRITERS)


@pytest.mark.parametrize("kind", SPEC_WRITERS)
def test_writers_table_matches_spec(kind):
    # Every kind keeps exactly the writers the SPEC (and issue 4, for the ledger) gives it.
    assert set(WRITERS[kind]) == SPEC_WRITERS[kind]


def test_every_writer_is_a_known_role():
    assert set().union(*WRITERS.values()) <= {"fasilitator", "bendahara", "supervisor", "admin"}


def test_supervisor_writes_verifications_only():
    # SPEC: "Supervisors read, verify and resolve conflicts; every other kind they send is forbidden."
    assert {kind for kind, roles in WRITERS.items() if "supervisor" in roles} == {"verification"}


@pytest.mark.parametrize("role", SCOPES)
@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("place_name", PLACES)
def test_can_write(role, kind, place_name):
    expected = role in SPEC_WRITERS[kind] and place_name in READABLE[role]
    assert may_write(SCOPES[role], kind, PLACES[place_name]) is expected


def test_can_write_takes_roles_not_a_kind_name():
    # A kind's name passed where its writers belong would compare letters ("admin" in "payment_admin").
    with pytest.raises(TypeError):
        can_write(ADMIN, "worker", PLACES["ksm_a1"])
    assert can_write(ADMIN, frozenset({"admin"}), PLACES["ksm_a1"]) is True
    assert can_write(BENDAHARA, frozenset({"admin"}), PLACES["ksm_a1"]) is False


@pytest.mark.parametrize("role", SCOPES)
def test_unknown_kind_is_never_writable(role):
    assert may_write(SCOPES[role], "bukan_jenis", PLACES["ksm_a1"]) is False
    assert may_write(SCOPES[role], "", PLACES["ksm_a1"]) is False


@pytest.mark.parametrize("role", SCOPES)
@pytest.mark.parametrize("place_name", PLACES)
def test_can_review(role, place_name):
    expected = role in ("supervisor", "admin") and place_name in READABLE[role]
    assert can_review(SCOPES[role], PLACES[place_name]) is expected


@pytest.mark.parametrize(
    "scope",
    [
        Scope("supervisor"),  # a supervisor without a kota sees nothing
        Scope("bendahara"),  # a bendahara without a KSM sees nothing
        Scope("fasilitator"),  # a fasilitator without kelurahan sees nothing
        Scope("tamu", kota_id=KOTA, kelurahan_ids=frozenset({KEL_A}), ksm_id=KSM_A1),  # unknown role
        Scope("", kota_id=KOTA),
    ],
    ids=["supervisor-no-kota", "bendahara-no-ksm", "fasilitator-no-kelurahan", "unknown-role", "empty"],
)
@pytest.mark.parametrize("place_name", PLACES)
def test_scope_without_area_sees_nothing(scope, place_name):
    place = PLACES[place_name]
    assert can_read(scope, place) is False
    assert can_review(scope, place) is False
    assert not any(may_write(scope, kind, place) for kind in ALL_KINDS)


def test_place_without_kelurahan_is_not_a_fasilitators():
    # A kota-level thing (no kelurahan) never matches a fasilitator, even one with a None in scope.
    scope = Scope("fasilitator", kelurahan_ids=frozenset({KEL_A}))
    assert can_read(scope, Place(KOTA, None, None)) is False


def test_bendahara_scope_ignores_kelurahan_and_kota_fields():
    # Scope is the KSM only: other fields on the scope do not widen it.
    scope = Scope("bendahara", kota_id=KOTA, kelurahan_ids=frozenset({KEL_A}), ksm_id=KSM_A1)
    assert can_read(scope, PLACES["ksm_a1"])
    assert not can_read(scope, PLACES["ksm_a2"])
    assert not can_read(scope, PLACES["kel_a"])


def test_fasilitator_scope_ignores_kota_field():
    scope = Scope("fasilitator", kota_id=KOTA, kelurahan_ids=frozenset({KEL_A}))
    assert not can_read(scope, PLACES["kel_other"])
    assert not can_read(scope, PLACES["kota"])


def test_scope_and_place_are_immutable():
    with pytest.raises(AttributeError):
        FASILITATOR.role = "admin"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        PLACES["kel_a"].kota_id = OTHER_KOTA  # type: ignore[misc]
