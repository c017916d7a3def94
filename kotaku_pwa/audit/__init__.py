"""The audit trail: one call wherever something is created, changed, verified, reversed or resolved,
and the `/audit` page that shows it to supervisors (their kota) and admin. Records that phones send
are logged by the sync engine, one entry per kind and KSM of a batch (sync/engine.py)."""

from flask import Blueprint
from flask_login import current_user

from .. import db
from ..models import AuditLog

bp = Blueprint("audit", __name__, url_prefix="/audit")


def log(action, object_kind, object_id=None, kelurahan_id=None, user=None, ksm_id=None, **detail):
    """Add an audit entry to the current transaction (it commits with the change it describes)."""
    user = user or (current_user if current_user and current_user.is_authenticated else None)
    db.session.add(
        AuditLog(
            user_id=user.id if user else None,
            action=action,
            object_kind=object_kind,
            object_id=object_id,
            kelurahan_id=kelurahan_id,
            ksm_id=ksm_id,
            detail=detail,
        )
    )


from . import routes  # noqa: E402,F401
