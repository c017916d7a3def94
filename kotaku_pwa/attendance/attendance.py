"""The one write path of daily attendance (HOK): one record per worker per day."""

from datetime import date

from .. import db
from ..database import one_of
from ..models import Attendance, Worker
from ..payments.locks import locked_reason, paid_reason
from ..records.fields import Held, New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of
from ..workdays import date_problem
from ..workers.worker import member_of, worker_on_list


class AttendanceKind(KsmRecordKind):
    name = "attendance"
    model = Attendance
    writers = writers_of("attendance")
    fields = known_fields("ksm_id worker_uuid work_date present")
    clash_reason = "Kehadiran pekerja ini pada tanggal ini sudah tercatat."
    after = ("worker",)
    can_keep_incoming = True
    correctable = True

    def build(self, r, ksm, batch, recorded_on):
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
            worker = member_of(r, batch, ksm, worker_uuid)
        except Held:
            if r.errors:  # invalid anyway: not kept for review behind its worker's registration
                return None, None
            raise
        if worker is not None and day and present and not worker_on_list(worker, day):
            r.errors["present"] = f"Pekerja ini nonaktif sejak {worker.inactive_from.isoformat()}."
        if r.errors:
            return None, None
        locked = locked_reason(batch, ksm.id, day)
        if locked:  # a day of a verified period: never applied silently
            raise Held(*locked)
        row = New(
            Attendance, ksm_id=ksm.id, worker_id=worker.id, worker=worker, work_date=day, present=present
        )
        return row, (worker_uuid, day)

    def existing_keys(self, batch):
        uuids = [u.lower() for u in batch.values("worker_uuid") if isinstance(u, str)]
        days = set()
        for value in batch.values("work_date"):
            try:
                days.add(date.fromisoformat(value))
            except (TypeError, ValueError):
                pass
        rows = db.session.execute(
            db.select(
                Worker.uuid.label("worker_uuid"), Attendance.work_date, Attendance.version, Attendance.id
            )
            .join(Worker, Attendance.worker_id == Worker.id)
            .where(one_of(Worker.uuid, uuids), Attendance.work_date.in_(days))
        )
        return {(a.worker_uuid, a.work_date): (a.version, a.id) for a in rows}

    def remember(self, row, batch):
        """Payments later in the batch count this day's HOK (payments/payment.py)."""
        batch.new_attendance.append(row)

    def correction_problems(self, current, new):
        """A correction changes present/absent only: another worker or day is another record."""
        if (new.worker_id, new.work_date) != (current.worker_id, current.work_date):
            return {"work_date": "Koreksi kehadiran tidak boleh mengganti pekerja atau tanggal."}
        return {}

    def hold_correction(self, current, new, batch):
        """A day inside a period paid to the worker waits for a supervisor (payments/locks.py; a
        verified period holds every attendance record, in `build`)."""
        reason = paid_reason(current.worker_id, current.work_date)
        if reason:
            raise Held(("attendance", current.version, current.id), reason)

    def audit_detail(self, row) -> dict:
        """One line of the trail per KSM and day: what the facilitator saved in one tap."""
        return {"work_date": row.work_date.isoformat()}

    def keep_incoming(self, conflict, existing, incoming):
        """The stored day takes the incoming present/absent."""
        existing.present = incoming.present
        return None


ATTENDANCE = AttendanceKind()
