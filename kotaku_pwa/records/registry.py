"""Every record kind phones send, by name (the `kind` of a sync record); see records/kind.py."""

from ..attendance.attendance import ATTENDANCE
from ..dfat.watsan_survey import WATSAN_SURVEY
from ..meetings.health_check import HEALTH_CHECK
from ..meetings.meeting import MEETING
from ..payments.payment import PAYMENT
from ..payments.spending import SPENDING
from ..payments.tranche import TRANCHE
from ..progress.progress import PROGRESS
from ..scope import can_write
from ..verification.verification import VERIFICATION
from ..workers.worker import WORKER
from .kind import in_dependency_order

KINDS = {
    k.name: k
    for k in (
        WORKER,
        ATTENDANCE,
        PAYMENT,
        TRANCHE,
        SPENDING,
        MEETING,
        HEALTH_CHECK,
        VERIFICATION,
        PROGRESS,
        WATSAN_SURVEY,
    )
}

# The order a batch inserts its new rows in: a worker before the attendance naming it...
INSERT_ORDER = in_dependency_order(KINDS.values())

# Who writes which record kind (docs/sync-protocol.md).
WRITERS = {name: kind.writers for name, kind in KINDS.items()}


def may_write(scope, kind_name, place) -> bool:
    """True when the user's role writes this record kind and the place is theirs."""
    kind = KINDS.get(kind_name)
    return kind is not None and can_write(scope, kind.writers, place)
