"""The audit trail: one call wherever something is created, changed, verified, reversed or resolved."""

from flask_login import current_user

from . import db
from .models import AuditLog


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
