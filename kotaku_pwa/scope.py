"""Who may see and write what: the scope rule of docs/contracts.md as pure functions.

A fasilitator sees and writes only their kelurahan; a bendahara only their KSM; a supervisor reads
their kota; admin everything (the `scope` column of the table of roles, roles.py). Views, exports and
the sync API all ask these functions; access.py's queries are their SQL twins.
"""

from dataclasses import dataclass, field

from .roles import allows, scope_of


@dataclass(frozen=True)
class Scope:
    """The area a signed-in user works in."""

    role: str
    kota_id: int | None = None
    kelurahan_ids: frozenset = field(default_factory=frozenset)
    ksm_id: int | None = None


@dataclass(frozen=True)
class Place:
    """Where a thing belongs: its kota, kelurahan and (when it has one) KSM."""

    kota_id: int
    kelurahan_id: int | None = None
    ksm_id: int | None = None


def can_read(scope: Scope, place: Place) -> bool:
    """True when the user may see things of this place."""
    area = scope_of(scope.role)
    if area == "all":
        return True
    if area == "kota":
        return scope.kota_id is not None and place.kota_id == scope.kota_id
    if area == "kelurahan":
        return place.kelurahan_id in scope.kelurahan_ids
    if area == "ksm":
        return scope.ksm_id is not None and place.ksm_id == scope.ksm_id
    return False


def can_write(scope: Scope, writers, place: Place) -> bool:
    """True when the user's role is one of `writers` (a kind's, records/kind.py) and the place is theirs."""
    if isinstance(writers, str):  # a kind's name: ask records.registry.may_write instead
        raise TypeError("can_write takes the roles that write a kind, not its name")
    return scope.role in writers and can_read(scope, place)


def can_review(scope: Scope, place: Place) -> bool:
    """Verifying and resolving conflicts: supervisors of the kota, and admin."""
    return allows(scope.role, "review") and can_read(scope, place)
