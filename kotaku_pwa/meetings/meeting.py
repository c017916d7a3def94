"""The one write path of a meeting and its daftar hadir (the named attendance list)."""

from sqlalchemy.orm import selectinload

from .. import db, images, storage
from .. import vocabulary as v
from ..models import Kelurahan, Meeting, MeetingAttendee
from ..programme_period import not_before, programme_start
from ..records.fields import New
from ..records.kind import RecordKind, known_fields
from ..roles import writers_of
from ..safetext import text_problem


class MeetingKind(RecordKind):
    """A meeting belongs to its kelurahan (and may name one of its KSMs)."""

    name = "meeting"
    model = Meeting
    writers = writers_of("meeting")
    fields = known_fields(
        "kelurahan_id ksm_id type programme held_on place team notes topics outcomes attendees "
        "photo photo_lat photo_lon photo_accuracy"
    )
    clash_reason = ""  # meetings have no domain key: two meetings on one day are two meetings
    correctable = True

    def locate(self, r, batch):
        """The kelurahan the meeting was held in (the scope check asks about it)."""
        return place(r, batch)[0]

    def build(self, r, kelurahan, batch, recorded_on):
        ksm = batch.ksm(r.data.get("ksm_id"))
        kind = r.choice("type", tuple(v.TYPES))
        programme = r.choice("programme", v.PROGRAMMES, required=False)
        held_on = r.past_day("held_on", batch.today, "Tanggal pertemuan")
        if held_on and "held_on" not in r.errors and not_before(held_on, programme_start()):
            r.errors["held_on"] = not_before(held_on, programme_start(), "Tanggal pertemuan")
        place_name = r.text("place", max_len=200)
        team = r.text("team", max_len=200, required=False)
        notes = r.text("notes", max_len=2000, required=False)
        topics = _topics(r, kind)
        outcomes = _codes(r, "outcomes", v.MP2K_OUTCOMES, kind in v.TYPES_WITH_OUTCOMES, "Hasil MP2K")
        attendees = _attendees(r)
        photo = images.read(r, "photo")
        lat = _number(r, "photo_lat", -90, 90)
        lon = _number(r, "photo_lon", -180, 180)
        accuracy = _number(r, "photo_accuracy", 0, 100_000)
        if r.errors:
            return None, None
        row = New(
            Meeting,
            kelurahan_id=kelurahan.id,
            ksm_id=ksm.id if ksm else None,
            type=kind,
            programme=programme or (ksm.programme if ksm else _programme_of(kelurahan)),
            held_on=held_on,
            place=place_name,
            team=team,
            topics=topics,
            outcomes=outcomes,
            notes=notes,
            **storage.stored("photo", photo),
            photo_lat=lat,
            photo_lon=lon,
            photo_accuracy=accuracy,
        )
        row.children = [New(MeetingAttendee, meeting=row, **line) for line in attendees]
        return row, None

    def remember(self, row, batch):
        """Let a health check later in the batch name this meeting."""
        meetings(batch)[row.uuid] = row

    def owner(self, row, batch):
        """The kelurahan a stored meeting was held in."""
        return kelurahan_of(batch, row.kelurahan_id)

    def snapshot(self, row):
        """The meeting's values and its attendance list as they were."""
        lines = row.children if isinstance(row, New) else row.attendees
        keys = ("position", "name", "gender", "role", "tipp_role")
        return {**super().snapshot(row), "attendees": [{k: getattr(a, k, None) for k in keys} for a in lines]}

    def correct(self, current, new):
        """The new attendance list replaces the old one; a correction sent without a photo keeps it."""
        photo = current.photo_key, current.photo_size
        super().correct(current, new)
        if new.photo_key is None:
            current.photo_key, current.photo_size = photo
        if isinstance(current, New):
            return []
        db.session.execute(db.delete(MeetingAttendee).where(MeetingAttendee.meeting_id == current.id))
        db.session.expire(current, ["attendees"])
        for line in new.children:
            line.meeting, line.meeting_id = None, current.id
        return list(new.children)


MEETING = MeetingKind()


def data_of(meeting) -> dict:
    """The stored meeting as a `meeting` record's data: what its edit form starts from. The photo is
    left out: a correction sent without one keeps it (MeetingKind.correct); its place is kept."""
    return {
        "type": meeting.type,
        "kelurahan_id": meeting.kelurahan_id,
        "ksm_id": meeting.ksm_id,
        "programme": meeting.programme,
        "held_on": meeting.held_on.isoformat(),
        "place": meeting.place,
        "team": meeting.team or "",
        "topics": list(meeting.topics or []),
        "outcomes": list(meeting.outcomes or []),
        "attendees": [
            {"name": a.name, "gender": a.gender, "role": a.role, "tipp_role": a.tipp_role or ""}
            for a in meeting.attendees
        ],
        "notes": meeting.notes or "",
        "photo_lat": meeting.photo_lat,
        "photo_lon": meeting.photo_lon,
        "photo_accuracy": meeting.photo_accuracy,
    }


def place(r, batch):
    """(kelurahan, KSM or None) a meeting or health check names; a KSM must be of that kelurahan."""
    kelurahan_id = r.integer("kelurahan_id")
    ksm_id = r.integer("ksm_id", required=False)
    kelurahan = kelurahan_of(batch, kelurahan_id) if kelurahan_id is not None else None
    if kelurahan is None and "kelurahan_id" not in r.errors:
        r.errors["kelurahan_id"] = "Kelurahan tidak dikenal."
    ksm = batch.ksm(ksm_id) if ksm_id is not None else None
    if ksm_id is not None and ksm is None:
        r.errors["ksm_id"] = "KSM tidak dikenal."
    elif ksm is not None and kelurahan is not None and ksm.kelurahan_id != kelurahan.id:
        r.errors["ksm_id"] = "KSM ini bukan bagian dari kelurahan tersebut."
    return kelurahan, ksm


def kelurahan_of(batch, kelurahan_id):
    """A kelurahan the batch names (all of them loaded with the first one asked)."""
    if batch.kelurahan is None:
        batch.kelurahan = _load_kelurahan(batch)
    found = batch.kelurahan
    if kelurahan_id not in found:
        found[kelurahan_id] = db.session.get(Kelurahan, kelurahan_id)
    return found[kelurahan_id]


def _load_kelurahan(batch):
    ids = [i for i in batch.values("kelurahan_id") if isinstance(i, int)]
    rows = db.session.scalars(
        db.select(Kelurahan).options(selectinload(Kelurahan.kecamatan)).where(Kelurahan.id.in_(ids))
    )
    return {k.id: k for k in rows}


def _codes(r, name, vocabulary, allowed, what):
    """The known codes of a list field, in the vocabulary's order; unknown codes are refused."""
    value = r.data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        r.errors[name] = "Harus berupa daftar kode."
        return []
    unknown = [code[:40] for code in value if code not in vocabulary]
    if unknown:
        r.errors[name] = "Kode tidak dikenal: " + ", ".join(unknown[:5]) + "."
    elif value and not allowed:
        r.errors[name] = f"{what} tidak dicatat untuk jenis pertemuan ini."
    return [code for code in vocabulary if code in value]


def _programme_of(kelurahan):
    return "DFAT" if kelurahan.dfat and not kelurahan.cfw else "CFW"


def _topics(r, kind):
    """The topics covered, from the list of the meeting's own type (vocabulary.TOPICS_BY_TYPE); a
    known code of another type's list is named by its list ("Topik coaching tidak dicatat...")."""
    own = v.TOPICS_BY_TYPE.get(kind, {})
    value = r.data.get("topics")
    codes = _codes(r, "topics", v.ALL_TOPICS, True, "Topik")
    if "topics" in r.errors or not isinstance(value, list):
        return codes
    misplaced = [code for code in codes if code not in own]
    if misplaced:
        r.errors["topics"] = f"{v.topic_list_name(misplaced[0])} tidak dicatat untuk jenis pertemuan ini."
    return [code for code in own if code in codes]


def _attendees(r):
    """The attendance list's lines; each line's problem is reported with its row number."""
    value = r.data.get("attendees")
    if value is None:
        return []
    if not isinstance(value, list):
        r.errors["attendees"] = "Daftar hadir harus berupa daftar peserta."
        return []
    if len(value) > v.MAX_ATTENDEES:
        r.errors["attendees"] = f"Paling banyak {v.MAX_ATTENDEES} peserta per pertemuan."
        return []
    rows, problems = [], []
    for number, item in enumerate(value, start=1):
        problem = _attendee_problem(item)
        if problem:
            problems.append(f"baris {number}: {problem}")
            continue
        rows.append(
            {
                "position": number,
                "name": item["name"].strip(),
                "gender": item["gender"],
                "role": item["role"],
                "tipp_role": item.get("tipp_role") or None,
            }
        )
    if problems:
        more = f"; dan {len(problems) - 3} baris lain" if len(problems) > 3 else ""
        r.errors["attendees"] = "Peserta " + "; ".join(problems[:3]) + more + "."
    return rows


ATTENDEE_FIELDS = {"name", "gender", "role", "tipp_role"}


def _attendee_problem(item):
    if not isinstance(item, dict):
        return "harus berupa objek {name, gender, role}"
    if set(item) - ATTENDEE_FIELDS:  # nothing unknown is kept, not even in the conflict table
        return "kolom tidak dikenal: " + ", ".join(
            sorted(str(k)[:40] for k in set(item) - ATTENDEE_FIELDS)[:3]
        )
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return "nama wajib diisi"
    if len(name.strip()) > 100:
        return "nama paling banyak 100 karakter"
    if text_problem(name.strip()):
        return "nama berisi karakter kontrol, pengarah teks atau baris baru yang tidak diizinkan"
    if not _known(item.get("gender"), v.GENDERS):
        return "jenis kelamin harus L atau P"
    if not _known(item.get("role"), v.ATTENDEE_ROLES):
        return "unsur peserta tidak dikenal"
    tipp_role = item.get("tipp_role")
    if tipp_role in (None, ""):
        return None
    if not _known(tipp_role, v.TIPP_ROLES):
        return "jabatan TIPP tidak dikenal"
    if item["role"] != "tipp":
        return "jabatan TIPP hanya untuk peserta dari unsur TIPP"
    return None


def _known(value, vocabulary):
    return isinstance(value, str) and value in vocabulary


def _number(r, name, low, high):
    """An optional number within [low, high] (the phone's location reading)."""
    value = r.data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        r.errors[name] = f"Harus berupa angka antara {low} dan {high}."
        return None
    return float(value)


def meetings(batch):
    """The batch's meetings by uuid: those its health checks name, and those it records."""
    if batch.meetings is None:
        uuids = [u.lower() for u in batch.values("meeting_uuid") if isinstance(u, str)]
        rows = db.session.scalars(db.select(Meeting).where(Meeting.uuid.in_(uuids)))
        batch.meetings = {m.uuid: m for m in rows}
    return batch.meetings
