"""The one write path of a health-protocol check, at a meeting or on a KSM's work site."""

from .. import db
from .. import vocabulary as v
from ..models import HealthCheck, Ksm, Meeting
from ..programme_period import not_before, programme_start
from ..records.fields import New
from ..records.kind import RecordKind, known_fields
from ..roles import writers_of
from .meeting import kelurahan_of, meetings, place

TOO_MANY = "Tidak boleh lebih dari jumlah orang hadir."


class HealthCheckKind(RecordKind):
    name = "health_check"
    model = HealthCheck
    writers = writers_of("health_check")
    fields = known_fields(
        "kelurahan_id ksm_id meeting_uuid setting checked_on people_present masks_worn "
        "fever_cases distancing handwash_soap temp_morning temp_noon temp_afternoon "
        "temperature_checked apd_workers notes"
    )
    clash_reason = "Pemeriksaan protokol kesehatan untuk pertemuan ini sudah tercatat."
    after = ("meeting",)
    correctable = True

    def locate(self, r, batch):
        """The KSM when the check names one (its bendahara may write it), else the kelurahan."""
        kelurahan, ksm = place(r, batch)
        return ksm or kelurahan

    def build(self, r, target, batch, recorded_on):
        ksm = target if isinstance(target, Ksm) else None
        kelurahan = ksm.kelurahan if ksm else target
        meeting_uuid = r.uuid("meeting_uuid", required=False)
        setting = r.choice("setting", tuple(v.SETTINGS), required=False) or (
            "meeting" if meeting_uuid else "worksite"
        )
        checked_on = r.past_day("checked_on", batch.today, "Tanggal pemeriksaan")
        if checked_on and "checked_on" not in r.errors and not_before(checked_on, programme_start()):
            r.errors["checked_on"] = not_before(checked_on, programme_start(), "Tanggal pemeriksaan")
        people = r.integer("people_present", minimum=0, maximum=10_000)
        masks = r.integer("masks_worn", minimum=0, maximum=10_000)
        fever = r.integer("fever_cases", minimum=0, maximum=10_000)
        distancing = r.boolean("distancing")
        handwash = r.boolean("handwash_soap")
        times = [r.boolean(name, required=False) for name in ("temp_morning", "temp_noon", "temp_afternoon")]
        # A work site records its three temperature rounds; "checked" then follows from them.
        temperature = r.boolean("temperature_checked", required=setting == "meeting")
        apd = r.boolean("apd_workers", required=False)
        notes = r.text("notes", max_len=2000, required=False)
        for name, count in (("masks_worn", masks), ("fever_cases", fever)):
            if people is not None and count is not None and count > people:
                r.errors.setdefault(name, TOO_MANY)
        if setting == "worksite" and ksm is None and "ksm_id" not in r.errors:
            r.errors["ksm_id"] = "Pilih KSM: pemeriksaan di lokasi kerja dicatat per KSM."
        meeting = _meeting(r, meeting_uuid, setting, kelurahan, ksm, checked_on, batch)
        if r.errors:
            return None, None
        row = New(
            HealthCheck,
            kelurahan_id=kelurahan.id,
            ksm_id=ksm.id if ksm else None,
            meeting_id=meeting.id if meeting else None,
            meeting=meeting,  # a meeting of this batch gets its id when inserted (sync/engine.py)
            checked_on=checked_on,
            setting=setting,
            people_present=people,
            masks_worn=masks,
            distancing=distancing,
            handwash_soap=handwash,
            temperature_checked=bool(temperature) or any(times),
            temp_morning=times[0],
            temp_noon=times[1],
            temp_afternoon=times[2],
            fever_cases=fever,
            apd_workers=apd,
            notes=notes,
        )
        return row, (meeting.uuid if meeting else None)

    def existing_keys(self, batch):
        uuids = [u.lower() for u in batch.values("meeting_uuid") if isinstance(u, str)]
        rows = db.session.execute(
            db.select(Meeting.uuid.label("meeting_uuid"), HealthCheck.version, HealthCheck.id)
            .join(Meeting, HealthCheck.meeting_id == Meeting.id)
            .where(Meeting.uuid.in_(uuids))
        )
        return {h.meeting_uuid: (h.version, h.id) for h in rows}

    def owner(self, row, batch):
        """The KSM of a work-site check, else the kelurahan."""
        return batch.ksm(row.ksm_id) if row.ksm_id else kelurahan_of(batch, row.kelurahan_id)


HEALTH_CHECK = HealthCheckKind()

# The fields a check's edit form shows, beside its place, meeting and date.
FORM_FIELDS = (
    "people_present masks_worn distancing handwash_soap temperature_checked temp_morning temp_noon "
    "temp_afternoon apd_workers fever_cases"
).split()


def data_of(check) -> dict:
    """The stored check as a `health_check` record's data (the meeting named by its identity)."""
    return {
        "kelurahan_id": check.kelurahan_id,
        "ksm_id": check.ksm_id,
        "setting": check.setting,
        **({"meeting_uuid": check.meeting.uuid} if check.meeting else {}),
        "checked_on": check.checked_on.isoformat(),
        **{name: getattr(check, name) for name in FORM_FIELDS},
        "notes": check.notes or "",
    }


def _meeting(r, meeting_uuid, setting, kelurahan, ksm, checked_on, batch):
    """The meeting the check belongs to: stored, or recorded earlier in this batch."""
    if not meeting_uuid:
        return None
    meeting = meetings(batch).get(meeting_uuid)
    if setting != "meeting":
        r.errors["setting"] = "Pemeriksaan pada pertemuan harus berlatar 'meeting'."
    elif (
        meeting is None or meeting.kelurahan_id != kelurahan.id or meeting.ksm_id != (ksm.id if ksm else None)
    ):
        # One message for "no such meeting" and "a meeting elsewhere": it must not tell which.
        r.errors["meeting_uuid"] = (
            "Pertemuan tidak dikenal di kelurahan/KSM ini (kirim pertemuannya lebih dulu)."
        )
    elif checked_on and checked_on != meeting.held_on:
        r.errors["checked_on"] = "Tanggal pemeriksaan harus sama dengan tanggal pertemuan."
    return meeting
