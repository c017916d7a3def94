"""The one write path of a progress report: percent complete, with a located photo at the milestones."""

from datetime import UTC, datetime

from .. import db, images, storage
from ..models import ProgressReport, WorkItem
from ..physical import lower_needs_note
from ..records.fields import New
from ..records.kind import KsmRecordKind, known_fields
from ..roles import writers_of

PHOTO = ("image/jpeg",)  # photo.js always shrinks to JPEG (docs/contracts.md: a JPEG data URL)


class ProgressKind(KsmRecordKind):
    name = "progress"
    model = ProgressReport
    writers = writers_of("progress")
    fields = known_fields(
        "ksm_id work_item_id reported_on percent photo photo_lat photo_lon photo_taken_at notes"
    )
    clash_reason = ""  # no domain key: a later report supersedes an earlier one

    def build(self, r, ksm, batch, recorded_on):
        reported_on = r.past_day("reported_on", batch.today, "Tanggal laporan")
        if reported_on and reported_on < ksm.start_date:
            r.errors["reported_on"] = "Tanggal laporan tidak boleh sebelum KSM mulai bekerja."
        percent = r.integer("percent", minimum=0, maximum=100)
        if "percent" in r.errors and r.data.get("percent") is not None:
            r.errors["percent"] = "Persentase harus bilangan bulat 0–100."
        item = _work_item(r, ksm)
        notes = r.text("notes", max_len=2000, required=False)
        photo = images.read(r, "photo", PHOTO)
        lat = _number(r, "photo_lat", -90, 90)
        lon = _number(r, "photo_lon", -180, 180)
        taken_at = _moment(r, "photo_taken_at")
        if r.errors:
            return None, None
        previous = _previous(batch, ksm.id, item, reported_on)
        if lower_needs_note(previous, percent, notes):
            r.errors["notes"] = (
                f"Persentase lebih rendah dari laporan sebelumnya ({previous} %): tulis alasannya di catatan."
            )
            return None, None
        row = New(
            ProgressReport,
            ksm_id=ksm.id,
            work_item_id=item.id if item else None,
            reported_on=reported_on,
            percent=percent,
            **storage.stored("photo", photo),
            photo_lat=lat,
            photo_lon=lon,
            photo_taken_at=taken_at,
            notes=notes,
        )
        return row, None

    def remember(self, row, batch):
        """Let a later report of the batch compare its percent with this one."""
        batch.new_progress.append(row)


PROGRESS = ProgressKind()


def _work_item(r, ksm):
    """The work item reported on: required when the KSM has items, and one of them."""
    item_id = r.integer("work_item_id", required=False)
    items = {i.id: i for i in db.session.scalars(db.select(WorkItem).where(WorkItem.ksm_id == ksm.id))}
    if "work_item_id" in r.errors:
        return None
    if item_id is None:
        if items:
            r.errors["work_item_id"] = "Pilih item pekerjaan yang dilaporkan."
        return None
    if item_id not in items:
        r.errors["work_item_id"] = "Item pekerjaan bukan milik KSM ini."
        return None
    return items[item_id]


def _previous(batch, ksm_id, item, day):
    """The percent of the latest report of the same KSM and item up to `day` (stored, or earlier in
    this batch); None without one."""
    item_id = item.id if item else None
    same_item = (
        ProgressReport.work_item_id.is_(None) if item_id is None else ProgressReport.work_item_id == item_id
    )
    stored = db.session.execute(
        db.select(ProgressReport.reported_on, ProgressReport.percent)
        .where(ProgressReport.ksm_id == ksm_id, same_item, ProgressReport.reported_on <= day)
        .order_by(ProgressReport.reported_on.desc(), ProgressReport.id.desc())
        .limit(1)
    ).first()
    reports = [(stored.reported_on, stored.percent)] if stored else []
    reports += [
        (row.reported_on, row.percent)
        for row in batch.new_progress
        if row.ksm_id == ksm_id and row.work_item_id == item_id and row.reported_on <= day
    ]
    # The last of the latest day wins: a batch's rows come after the stored ones.
    latest = max(enumerate(reports), key=lambda pair: (pair[1][0], pair[0]), default=None)
    return latest[1][1] if latest else None


def _number(r, name, low, high):
    """An optional number within [low, high] (where the phone was when the photo was taken)."""
    value = r.data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        r.errors[name] = f"Koordinat harus berupa angka antara {low} dan {high}."
        return None
    return float(value)


def _moment(r, name):
    """An optional ISO time (when the photo was taken), kept as naive UTC."""
    value = r.data.get(name)
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        r.errors[name] = "Waktu pengambilan foto tidak dikenali."
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
