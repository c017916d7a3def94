"""The one write path of a water and sanitation survey of a DFAT kelurahan (docs/sync-protocol.md)."""

from .. import db, watsan
from ..meetings.meeting import kelurahan_of
from ..models import ProgrammeYear, WatsanSurvey
from ..records.fields import New
from ..records.kind import RecordKind, known_fields
from ..roles import writers_of


class WatsanSurveyKind(RecordKind):
    """A survey belongs to its kelurahan; one survey per kelurahan and day."""

    name = "watsan_survey"
    model = WatsanSurvey
    writers = writers_of("watsan_survey")
    fields = known_fields(
        "kelurahan_id surveyed_on households households_safe_water households_safe_sanitation notes"
    )
    clash_reason = "Survei air minum dan sanitasi kelurahan ini pada tanggal tersebut sudah tercatat."

    def locate(self, r, batch):
        """The kelurahan surveyed (the scope check asks about it)."""
        kelurahan_id = r.integer("kelurahan_id")
        kelurahan = kelurahan_of(batch, kelurahan_id) if kelurahan_id is not None else None
        if kelurahan is None and "kelurahan_id" not in r.errors:
            r.errors["kelurahan_id"] = "Kelurahan tidak dikenal."
        return kelurahan

    def build(self, r, kelurahan, batch, recorded_on):
        surveyed_on = r.day("surveyed_on")
        households = r.integer("households")
        water = r.integer("households_safe_water")
        sanitation = r.integer("households_safe_sanitation")
        notes = r.text("notes", max_len=2000, required=False)
        if not kelurahan.dfat:
            r.errors["kelurahan_id"] = "Survei air minum dan sanitasi hanya untuk kelurahan lokasi DFAT."
        for name, message in watsan.survey_problems(
            households, water, sanitation, surveyed_on, _dfat_years(batch), batch.today
        ).items():
            r.errors.setdefault(name, message)
        if r.errors:
            return None, None
        row = New(
            WatsanSurvey,
            kelurahan_id=kelurahan.id,
            surveyed_on=surveyed_on,
            households=households,
            households_safe_water=water,
            households_safe_sanitation=sanitation,
            notes=notes,
        )
        return row, _key(kelurahan.id, surveyed_on)

    def existing_keys(self, batch):
        ids = [i for i in batch.values("kelurahan_id") if isinstance(i, int)]
        rows = db.session.execute(
            db.select(
                WatsanSurvey.kelurahan_id, WatsanSurvey.surveyed_on, WatsanSurvey.uuid, WatsanSurvey.id
            ).where(WatsanSurvey.kelurahan_id.in_(ids))
        )
        return {_key(s.kelurahan_id, s.surveyed_on): (s.uuid, s.id) for s in rows}


WATSAN_SURVEY = WatsanSurveyKind()


def _key(kelurahan_id, surveyed_on):
    return (kelurahan_id, surveyed_on.isoformat())


def _dfat_years(batch):
    """The years the DFAT programme runs (the admin's programme years), read once per batch."""
    if batch.dfat_years is None:
        batch.dfat_years = frozenset(
            db.session.scalars(db.select(ProgrammeYear.year).where(ProgrammeYear.programme == "DFAT"))
        )
    return batch.dfat_years
