"""Role and scope checks used by every view: one decorator and a few loaders that 404 outside scope.

Both come from the table of roles (roles.py): `may` asks for a capability of the role, the loaders
and queries follow the role's scope.
"""

from functools import cache, lru_cache, wraps

from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy import bindparam, false, true
from sqlalchemy.orm import contains_eager, joinedload

from . import database, db
from .models import Kecamatan, Kelurahan, Ksm, User, Verification
from .roles import CAPABILITIES, allows, kinds_written, scope_of
from .scope import Place, Scope, can_read, can_review


def may(capability):
    """Sign-in required, and the user's role must have `capability` in the table of roles (else 403)."""
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not allows(current_user.role, capability):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def user_scope(user=None) -> Scope:
    """The scope of `user` (default: the signed-in user, computed once per request and kept in `g`)."""
    if user is not None:
        return _scope_of(user)
    user = current_user._get_current_object()
    cached = g.get("user_scope")
    if cached is None or cached[0] is not user:  # a sign-in or sign-out within the request
        cached = g.user_scope = (user, _scope_of(user))
    return cached[1]


def _scope_of(user) -> Scope:
    return Scope(
        role=user.role,
        kota_id=user.kota_id,
        kelurahan_ids=user.kelurahan_ids
        if user.kelurahan_ids is not None
        else frozenset(k.id for k in user.kelurahan),
        ksm_id=user.ksm_id,
    )


def place_of(obj) -> Place:
    """The kota/kelurahan/KSM a Kelurahan or Ksm belongs to."""
    if isinstance(obj, Ksm):
        return Place(obj.kelurahan.kecamatan.kota_id, obj.kelurahan_id, obj.id)
    if isinstance(obj, Kelurahan):
        return Place(obj.kecamatan.kota_id, obj.id)
    raise TypeError(obj)


def get_ksm(ksm_id, write_kind=None) -> Ksm:
    """The KSM if the user may see it (404 otherwise) and, given `write_kind`, write that kind (403)."""
    return _get_in_scope(Ksm, ksm_id, write_kind)


def get_ksm_and_state(ksm_id, day):
    """get_ksm, and the latest verification decision on the KSM's period holding `day` (None when there
    is none: payments.locks.state_on), read in the KSM's own statement: the attendance day and the
    wage list each cost 3 statements with the sign-in's (issue 14)."""
    row = db.session.execute(_ksm_and_state(), {"ksm_id": ksm_id, "day": day}).first()
    ksm, state = row if row is not None else (None, None)
    return _readable_or_404(ksm, user_scope()), state


@cache
def _ksm_and_state():
    """get_ksm_and_state's statement, built once (building it cost more than running it)."""
    from .payments.locks import latest_decision_id  # payments' views import this module

    return (
        db.select(Ksm, Verification)
        .outerjoin(Verification, Verification.id == latest_decision_id(Ksm.id, bindparam("day")))
        .where(Ksm.id == bindparam("ksm_id"))
        .options(*_PLACE[Ksm])
    )


def get_ksm_day(ksm_id, day):
    """What the attendance day shows of its KSM, as one row of plain columns: the KSM's, its
    kelurahan's name, and the latest verification decision on the period holding `day` (`decision`,
    `reason`, `received_at`, `period_start`, `period_end`, `created_by_name`: None when there is
    none). 404 outside the user's scope, as get_ksm. The page's hottest read: loading the KSM, its
    place and the decision as objects cost twice the statement (issue 14)."""
    row = database.rows(_ksm_day(), {"ksm_id": ksm_id, "day": day}).first()
    if row is None or not can_read(user_scope(), Place(row.kota_id, row.kelurahan_id, row.id)):
        abort(404)
    return row


@cache
def _ksm_day():
    """get_ksm_day's statement, built once."""
    from .payments.locks import latest_decision_id  # payments' views import this module

    ksm = Ksm.__table__
    return (
        db.select(
            *(ksm.c[name] for name in ("id", "name", "activity", "start_date", "end_date", "kelurahan_id")),
            Kelurahan.name.label("kelurahan_name"),
            Kecamatan.kota_id,
            Verification.decision,
            Verification.reason,
            Verification.received_at,
            Verification.period_start,
            Verification.period_end,
            User.full_name.label("created_by_name"),
        )
        .select_from(ksm)
        .join(Kelurahan, Kelurahan.id == ksm.c.kelurahan_id)
        .join(Kecamatan, Kecamatan.id == Kelurahan.kecamatan_id)
        .outerjoin(Verification, Verification.id == latest_decision_id(ksm.c.id, bindparam("day")))
        .outerjoin(User, User.id == Verification.created_by_id)
        .where(ksm.c.id == bindparam("ksm_id"))
    )


def get_kelurahan(kelurahan_id, write_kind=None) -> Kelurahan:
    """The kelurahan if the user may see it (404 otherwise) and write `write_kind` there (403)."""
    return _get_in_scope(Kelurahan, kelurahan_id, write_kind)


_PLACE = {
    Ksm: [joinedload(Ksm.kelurahan).joinedload(Kelurahan.kecamatan).joinedload(Kecamatan.kota)],
    Kelurahan: [joinedload(Kelurahan.kecamatan).joinedload(Kecamatan.kota)],
}


def _get_in_scope(model, obj_id, write_kind):
    """A row of the user's scope. `scope.can_write` = the role writes the kind AND may read the place:
    the role half is asked first (403, whatever the id, as a role decorator would), the place half
    is the read check (404, so ids outside the scope are not confirmed to exist)."""
    scope = user_scope()
    if write_kind and write_kind not in kinds_written(scope.role):
        abort(403)
    # The place (kelurahan, kecamatan, kota: kota's wage rates too) in the same statement as the row.
    obj = db.session.get(model, obj_id, options=_PLACE[model]) if isinstance(obj_id, int) else None
    return _readable_or_404(obj, scope)


def _readable_or_404(obj, scope):
    """The KSM or kelurahan when the scope reads its place; 404 when it does not, or there is none."""
    if obj is None or not can_read(scope, place_of(obj)):
        abort(404)
    return obj


def may_review(obj) -> bool:
    """True when the user verifies and resolves conflicts at this kelurahan or KSM."""
    return can_review(user_scope(), place_of(obj))


# The SQL twin of `scope.can_read`, per scope of the table of roles: the condition on a query that
# joins Kelurahan, Kecamatan and (for "ksm") Ksm. tests/test_roles.py checks that the two agree.
_IN_SCOPE = {
    "all": lambda scope: true(),
    "kota": lambda scope: Kecamatan.kota_id == scope.kota_id,
    "kelurahan": lambda scope: Kelurahan.id.in_(scope.kelurahan_ids),
    "ksm": lambda scope: Ksm.id == scope.ksm_id,
}


def _in_scope(scope):
    area = scope_of(scope.role)
    return _IN_SCOPE[area](scope) if area else false()


# The queries below are built once per scope and kept (a scope is a frozen value, and a built
# statement never changes): building one cost more than running it, on every page that lists the
# user's KSMs or kelurahan (issue 14). A few thousand users hold a few thousand scopes.
SCOPES_KEPT = 4096


def kelurahan_query(user=None):
    """A select of the Kelurahan rows the user reads, or reads a KSM of, ordered by name."""
    return _kelurahan_query(user_scope(user))


def ksm_query(user=None):
    """A select of the KSM rows in the user's scope, ordered by kelurahan then name."""
    return _ksm_query(user_scope(user))


def ksms_with_place(user=None):
    """ksm_query's KSM rows with their kelurahan and kecamatan, which it joins already: a page that
    shows or checks a KSM's place then asks nothing more of the database."""
    return _ksms_with_place(user_scope(user))


def kelurahan_with_ksms(user=None):
    """kelurahan_query's rows with their kecamatan (joined already) and their KSMs (one more join)."""
    return _kelurahan_with_ksms(user_scope(user))


@lru_cache(maxsize=SCOPES_KEPT)
def _kelurahan_with_ksms(scope):
    return _kelurahan_query(scope).options(contains_eager(Kelurahan.kecamatan), joinedload(Kelurahan.ksm))


@lru_cache(maxsize=SCOPES_KEPT)
def _kelurahan_query(scope):
    query = db.select(Kelurahan).join(Kecamatan)
    if scope_of(scope.role) == "ksm":
        query = query.join(Ksm)  # a treasurer's kelurahan is the one of their KSM
    return query.where(_in_scope(scope)).order_by(Kelurahan.name)


@lru_cache(maxsize=SCOPES_KEPT)
def _ksm_query(scope):
    query = db.select(Ksm).join(Kelurahan).join(Kecamatan).where(_in_scope(scope))
    return query.order_by(Kelurahan.name, Ksm.name)


@lru_cache(maxsize=SCOPES_KEPT)
def _ksms_with_place(scope):
    return _ksm_query(scope).options(contains_eager(Ksm.kelurahan).contains_eager(Kelurahan.kecamatan))
