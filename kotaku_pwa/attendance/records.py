"""The one write path of daily attendance (HOK): one record per worker per day."""

from datetime import date

from .. import db
from ..database import one_of
from ..models import Attendance, Worker
from ..sync.fields import Held, New
from ..workdays import date_problem
from ..workers.records import find as find_worker
from ..workers.records import locate  # noqa: F401 (an attendance record belongs to its KSM)

MODEL = Attendance
CLASH_REASON = "Kehadiran pekerja ini pada tanggal ini sudah tercatat."


def build(r, ksm, batch, recorded_on):
    worker_uuid = r.uuid("worker_uuid")
    day = r.day("work_date")
    present = r.boolean("present")
    if day:
        problem = date_problem(
            day, ksm.start_date, ksm.end_date, batch.today, recorded_on, batch.backdate_window
        )
        if problem:
            r.errors["work_date"] = problem
    try:
        worker = find_worker(batch, worker_uuid) if worker_uuid else None
    except Held:
        if r.errors:  # invalid anyway: not kept for review behind its worker's registration
            return None, None
        raise
    if worker_uuid and (worker is None or worker.ksm_id != ksm.id):
        # One message for "no such worker" and "someone else's": it must not tell which.
        r.errors["worker_uuid"] = "Pekerja tidak dikenal di KSM ini."
    if r.errors:
        return None, None
    row = New(Attendance, ksm_id=ksm.id, worker_id=worker.id, worker=worker, work_date=day, present=present)
    return row, (worker_uuid, day)


def existing_keys(batch):
    uuids = [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]
    days = set()
    for value in batch.values("work_date"):
        try:
            days.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            pass
    rows = db.session.execute(
        db.select(Worker.uuid.label("worker_uuid"), Attendance.work_date, Attendance.uuid, Attendance.id)
        .join(Worker, Attendance.worker_id == Worker.id)
        .where(one_of(Worker.uuid, uuids), Attendance.work_date.in_(days))
    )
    return {(a.worker_uuid, a.work_date): (a.uuid, a.id) for a in rows}


def remember(row, batch):
    """Payments later in the batch count this day's HOK (payments/records.py)."""
    batch.cached("new_attendance", lambda b: []).append(row)


def keep_incoming(conflict, existing):
    """A supervisor keeps the incoming attendance: the stored day takes its present/absent."""
    existing.present = bool(conflict.data.get("present"))
    return None
