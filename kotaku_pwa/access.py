"""Role and scope checks used by every view: one decorator and a few loaders that 404 outside scope."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from . import db
from .models import Kecamatan, Kelurahan, Ksm
from .scope import Place, Scope, can_read, can_review


def roles(*allowed):
    """Sign-in required, and the user's role must be one of `allowed` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def user_scope(user=None) -> Scope:
    user = user or current_user
    return Scope(
        role=user.role,
        kota_id=user.kota_id,
        kelurahan_ids=frozenset(k.id for k in user.kelurahan),
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
    """The KSM if the user may see it (and write `write_kind` there); 404 otherwise."""
    return _get_in_scope(Ksm, ksm_id, write_kind)


def get_kelurahan(kelurahan_id, write_kind=None) -> Kelurahan:
    return _get_in_scope(Kelurahan, kelurahan_id, write_kind)


def _get_in_scope(model, obj_id, write_kind):
    obj = db.session.get(model, obj_id) if isinstance(obj_id, int) else None
    if obj is None or not can_read(user_scope(), place_of(obj)):
        abort(404)
    # Imported here: the registry imports every kind module, and their areas' views import this module.
    from .records.registry import may_write

    if write_kind and not may_write(user_scope(), write_kind, place_of(obj)):
        abort(403)
    return obj


def may_review(obj) -> bool:
    return can_review(user_scope(), place_of(obj))


def kelurahan_query(user=None):
    """A select of the Kelurahan rows in the user's scope, ordered by name."""
    scope = user_scope(user)
    query = db.select(Kelurahan).join(Kecamatan).order_by(Kelurahan.name)
    if scope.role == "admin":
        return query
    if scope.role == "supervisor":
        return query.where(Kecamatan.kota_id == scope.kota_id)
    if scope.role == "fasilitator":
        return query.where(Kelurahan.id.in_(scope.kelurahan_ids))
    if scope.role == "bendahara":
        return query.join(Ksm).where(Ksm.id == scope.ksm_id)
    return query.where(False)


def ksm_query(user=None):
    """A select of the KSM rows in the user's scope, ordered by kelurahan then name."""
    scope = user_scope(user)
    kelurahan_ids = kelurahan_query(user).with_only_columns(Kelurahan.id)
    query = db.select(Ksm).join(Kelurahan).where(Ksm.kelurahan_id.in_(kelurahan_ids))
    if scope.role == "bendahara":
        query = query.where(Ksm.id == scope.ksm_id)
    return query.order_by(Kelurahan.name, Ksm.name)
