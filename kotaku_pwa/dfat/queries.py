"""What the DFAT pages and the export read: the latest survey per kelurahan, coverage figures, and
each DFAT kelurahan's stage, in one query per figure (GROUP BY kelurahan)."""

from collections import defaultdict

from sqlalchemy import func

from .. import db, stages, watsan
from ..database import one_of
from ..models import DfatAssessment, HokPeriod, Kelurahan, Ksm, Meeting, TippMember, WatsanSurvey


def latest_surveys(kelurahan_ids) -> dict:
    """kelurahan id → its latest WatsanSurvey (DFAT kelurahan only; one survey per kelurahan and day)."""
    last = (
        db.select(WatsanSurvey.kelurahan_id, func.max(WatsanSurvey.surveyed_on).label("day"))
        .where(one_of(WatsanSurvey.kelurahan_id, kelurahan_ids))
        .group_by(WatsanSurvey.kelurahan_id)
        .subquery()
    )
    rows = db.session.scalars(
        db.select(WatsanSurvey)
        .join(
            last,
            (WatsanSurvey.kelurahan_id == last.c.kelurahan_id) & (WatsanSurvey.surveyed_on == last.c.day),
        )
        .join(Kelurahan, Kelurahan.id == WatsanSurvey.kelurahan_id)
        .where(Kelurahan.dfat.is_(True))
    )
    return {s.kelurahan_id: s for s in rows}


def water_access_percent(kelurahan_ids) -> dict:
    """kelurahan id → % of households with safe water at its latest survey (export.csv)."""
    return {
        k: watsan.coverage(s.households_safe_water, s.households)
        for k, s in latest_surveys(kelurahan_ids).items()
    }


def sanitation_access_percent(kelurahan_ids) -> dict:
    """kelurahan id → % of households with safe sanitation at its latest survey (export.csv)."""
    return {
        k: watsan.coverage(s.households_safe_sanitation, s.households)
        for k, s in latest_surveys(kelurahan_ids).items()
    }


def access_percents(kelurahan_ids) -> dict:
    """kelurahan id → (water %, sanitation %) of its latest survey (the dashboard's read model)."""
    return {
        k: (
            watsan.coverage(s.households_safe_water, s.households),
            watsan.coverage(s.households_safe_sanitation, s.households),
        )
        for k, s in latest_surveys(kelurahan_ids).items()
    }


def dfat_progress_of(kelurahan_ids) -> dict:
    """kelurahan id → stages.Progress of the DFAT chain, for the DFAT kelurahan among the ids."""
    ids = list(
        db.session.scalars(
            db.select(Kelurahan.id).where(one_of(Kelurahan.id, kelurahan_ids), Kelurahan.dfat.is_(True))
        )
    )
    held = defaultdict(set)
    for kelurahan_id, kind in db.session.execute(
        db.select(Meeting.kelurahan_id, Meeting.type)
        .where(Meeting.kelurahan_id.in_(ids), Meeting.programme == "DFAT")
        .distinct()
    ):
        held[kelurahan_id].add(kind)
    members = _counts(
        db.select(TippMember.kelurahan_id, func.count(TippMember.id)), TippMember.kelurahan_id, ids
    )
    surveys = _counts(
        db.select(WatsanSurvey.kelurahan_id, func.count(WatsanSurvey.id)), WatsanSurvey.kelurahan_id, ids
    )
    hok = _counts(  # from the rollup of attendance (dashboard/rollups.py), not its millions of rows
        db.select(Ksm.kelurahan_id, func.sum(HokPeriod.present))
        .join(Ksm, HokPeriod.ksm_id == Ksm.id)
        .where(Ksm.programme == "DFAT"),
        Ksm.kelurahan_id,
        ids,
    )
    assessments = {
        a.kelurahan_id: a
        for a in db.session.scalars(db.select(DfatAssessment).where(DfatAssessment.kelurahan_id.in_(ids)))
    }
    result = {}
    for kelurahan_id in ids:
        assessment = assessments.get(kelurahan_id)
        result[kelurahan_id] = stages.dfat_progress(
            held[kelurahan_id],
            members.get(kelurahan_id, 0),
            bool(assessment and assessment.identified) or surveys.get(kelurahan_id, 0) > 0,
            bool(assessment and assessment.design_status == "selesai"),
            hok.get(kelurahan_id, 0) > 0,
        )
    return result


def _counts(query, column, ids):
    return dict(db.session.execute(query.where(column.in_(ids)).group_by(column)).all())
