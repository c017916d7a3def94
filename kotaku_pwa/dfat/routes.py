"""The DFAT pages: the kelurahan page (stages, coverage against 80 %, chart), the survey form (through
the outbox), the TIPP register and the problems and needs. Fasilitator of the kelurahan and admin
write (capability `record_dfat`); supervisors read their kota."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, db, stages, watsan
from .. import vocabulary as v
from ..access import get_kelurahan, kelurahan_query, may, place_of, user_scope
from ..models import DfatAssessment, Kelurahan, Meeting, TippMember, TippRegister, WatsanSurvey
from ..scope import can_write
from . import bp
from .forms import AssessmentForm, TippMemberForm, TippRegisterForm
from .queries import dfat_progress_of, latest_surveys
from .watsan_survey import WATSAN_SURVEY


@bp.get("/")
@login_required
def index():
    """The DFAT kelurahan in scope: stage reached and the latest coverage against the 80 % target."""
    kelurahan = db.session.scalars(kelurahan_query().where(Kelurahan.dfat.is_(True))).all()
    ids = [k.id for k in kelurahan]
    return render_template(
        "dfat/index.html",
        kelurahan=kelurahan,
        progress=dfat_progress_of(ids),
        latest=latest_surveys(ids),
        **_labels(),
    )


@bp.get("/kelurahan/<int:kelurahan_id>")
@login_required
def kelurahan(kelurahan_id):
    """One DFAT kelurahan: its stages, coverage and chart, surveys, TIPP and problems and needs."""
    place = _dfat(kelurahan_id)
    surveys = db.session.scalars(
        db.select(WatsanSurvey).filter_by(kelurahan_id=place.id).order_by(WatsanSurvey.surveyed_on)
    ).all()
    points = [(s.surveyed_on, *_percents(s)) for s in surveys]
    members = _members(place.id)
    return render_template(
        "dfat/kelurahan.html",
        kelurahan=place,
        progress=dfat_progress_of([place.id])[place.id],
        surveys=surveys,
        latest=surveys[-1] if surveys else None,
        chart=watsan.chart(points) if points else None,
        register=_register(place.id),
        members=members,
        balance=watsan.gender_balance(m.gender for m in members),
        assessment=_assessment(place.id),
        may_write=_may_write(place),
        **_labels(),
    )


@bp.get("/kelurahan/<int:kelurahan_id>/survey")
@may("record_dfat")
def survey_new(kelurahan_id):
    """The water and sanitation survey form; saved into the phone's outbox (forms.js)."""
    place = _dfat(kelurahan_id, write=True)
    return render_template("dfat/survey.html", kelurahan=place, **_labels())


@bp.get("/kelurahan/<int:kelurahan_id>/tipp")
@login_required
def tipp(kelurahan_id):
    """The TIPP register: formed or revitalised, SK, members with their roles and gender balance."""
    place = _dfat(kelurahan_id)
    register = _register(place.id)
    members = _members(place.id)
    return render_template(
        "dfat/tipp.html",
        kelurahan=place,
        register=register,
        members=members,
        balance=watsan.gender_balance(m.gender for m in members),
        form=TippRegisterForm(register),
        member_form=TippMemberForm(),
        may_write=_may_write(place),
        **_labels(),
    )


@bp.post("/kelurahan/<int:kelurahan_id>/tipp")
@may("record_dfat")
def tipp_save(kelurahan_id):
    """Save whether the TIPP was formed or revitalised, and its SK."""
    place = _dfat(kelurahan_id, write=True)
    register = _register(place.id) or TippRegister(kelurahan_id=place.id)
    form = TippRegisterForm(register)
    if not form.validate_on_submit():
        return _tipp_again(place, register, form, TippMemberForm()), 400
    form.apply(register)
    db.session.add(register)
    db.session.flush()
    audit.log("changed", "tipp_register", register.id, kelurahan_id=place.id, status=register.status)
    db.session.commit()
    flash("Data TIPP tersimpan.", "success")
    return redirect(url_for("dfat.tipp", kelurahan_id=place.id))


@bp.post("/kelurahan/<int:kelurahan_id>/tipp/members")
@may("record_dfat")
def tipp_add(kelurahan_id):
    """Add one member to the TIPP register."""
    place = _dfat(kelurahan_id, write=True)
    form = TippMemberForm()
    if not form.validate_on_submit():
        register = _register(place.id)
        return _tipp_again(place, register, TippRegisterForm(register), form), 400
    member = TippMember(kelurahan_id=place.id, unsur=None)
    form.apply(member)
    member.unsur = member.unsur or None
    db.session.add(member)
    db.session.flush()
    audit.log("created", "tipp_member", member.id, kelurahan_id=place.id, name=member.name)
    db.session.commit()
    flash(f"{member.name} ditambahkan ke TIPP.", "success")
    return redirect(url_for("dfat.tipp", kelurahan_id=place.id))


@bp.post("/kelurahan/<int:kelurahan_id>/tipp/members/<int:member_id>/delete")
@may("record_dfat")
def tipp_remove(kelurahan_id, member_id):
    """Take one member off the TIPP register."""
    place = _dfat(kelurahan_id, write=True)
    member = db.session.get(TippMember, member_id)
    if member is None or member.kelurahan_id != place.id:
        abort(404)
    audit.log("deleted", "tipp_member", member.id, kelurahan_id=place.id, name=member.name)
    db.session.delete(member)
    db.session.commit()
    flash(f"{member.name} dihapus dari TIPP.", "success")
    return redirect(url_for("dfat.tipp", kelurahan_id=place.id))


@bp.route("/meeting/<int:meeting_id>/tipp", methods=["GET", "POST"])
@may("record_dfat")
def tipp_from_meeting(meeting_id):
    """Fill the TIPP register from a TIPP meeting's attendance list, after a confirmation page."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    place = _dfat(meeting.kelurahan_id, write=True)
    if meeting.type != "tipp":
        abort(404)
    people = tipp_people(meeting)
    if request.method == "GET":
        return render_template(
            "dfat/tipp_confirm.html",
            meeting=meeting,
            kelurahan=place,
            people=people,
            current=_members(place.id),
            **_labels(),
        )
    if request.form.get("confirm") != "1":
        abort(400)
    replace_members(place.id, meeting, people)
    audit.log(
        "changed", "tipp_register", None, kelurahan_id=place.id, from_meeting=meeting.id, members=len(people)
    )
    db.session.commit()
    flash(f"Daftar anggota TIPP diisi dari {len(people)} peserta pertemuan TIPP.", "success")
    return redirect(url_for("dfat.tipp", kelurahan_id=place.id))


@bp.route("/kelurahan/<int:kelurahan_id>/masalah", methods=["GET", "POST"])
@login_required
def assessment(kelurahan_id):
    """Slum problems by KOTAKU indicator, water and sanitation needs, concept design and RPLP status."""
    place = _dfat(kelurahan_id)
    row = _assessment(place.id)
    writing = _may_write(place)
    if request.method == "POST" and not writing:
        abort(403)
    form = AssessmentForm(row, data=_problem_fields(row))
    if request.method == "POST" and form.validate_on_submit():
        row = row or DfatAssessment(kelurahan_id=place.id)
        row.problems = {c: (form[f"problem_{c}"].data or "").strip() for c in v.SLUM_INDICATORS}
        row.problems = {c: text for c, text in row.problems.items() if text}
        row.water_needs = (form.water_needs.data or "").strip() or None
        row.sanitation_needs = (form.sanitation_needs.data or "").strip() or None
        row.design_status, row.rplp_status = form.design_status.data, form.rplp_status.data
        row.updated_by_id = current_user.id
        db.session.add(row)
        db.session.flush()
        audit.log(
            "changed",
            "dfat_assessment",
            row.id,
            kelurahan_id=place.id,
            design_status=row.design_status,
            rplp_status=row.rplp_status,
        )
        db.session.commit()
        flash("Masalah dan kebutuhan tersimpan.", "success")
        return redirect(url_for("dfat.kelurahan", kelurahan_id=place.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "dfat/assessment.html", kelurahan=place, form=form, row=row, may_write=writing, **_labels()
    ), status


# --- the rules of filling a register from a meeting ----------------------------------------------------


def tipp_people(meeting):
    """The attendees who become TIPP members: those of unsur TIPP when the list marks any, else all."""
    marked = [a for a in meeting.attendees if a.role == "tipp"]
    return marked or list(meeting.attendees)


def replace_members(kelurahan_id, meeting, people):
    """The register's members become `people`; a member already there by name keeps their unsur."""
    known = {m.name.casefold(): m for m in _members(kelurahan_id)}
    for member in known.values():
        db.session.delete(member)
    for person in people:
        before = known.get(person.name.casefold())
        unsur = person.role if person.role in v.TIPP_UNSUR else (before.unsur if before else None)
        db.session.add(
            TippMember(
                kelurahan_id=kelurahan_id,
                name=person.name,
                gender=person.gender,
                role=person.tipp_role or (before.role if before else "anggota"),
                unsur=unsur,
                meeting_id=meeting.id,
            )
        )
    if _register(kelurahan_id) is None:
        db.session.add(TippRegister(kelurahan_id=kelurahan_id, status="formed"))


# --- helpers -------------------------------------------------------------------------------------------


def _dfat(kelurahan_id, write=False):
    """The kelurahan if the user may see it (404) and it runs DFAT (404); with `write`, theirs to write."""
    place = get_kelurahan(kelurahan_id, WATSAN_SURVEY.name if write else None)
    if not place.dfat:
        abort(404)
    return place


def _may_write(place):
    return can_write(user_scope(), WATSAN_SURVEY.writers, place_of(place))


def _register(kelurahan_id):
    return db.session.execute(
        db.select(TippRegister).filter_by(kelurahan_id=kelurahan_id)
    ).scalar_one_or_none()


def _members(kelurahan_id):
    order = {code: i for i, code in enumerate(v.TIPP_ROLES)}
    rows = db.session.scalars(
        db.select(TippMember).filter_by(kelurahan_id=kelurahan_id).order_by(TippMember.id)
    )
    return sorted(rows, key=lambda m: order.get(m.role, len(order)))


def _assessment(kelurahan_id):
    return db.session.execute(
        db.select(DfatAssessment).filter_by(kelurahan_id=kelurahan_id)
    ).scalar_one_or_none()


def _problem_fields(row):
    problems = row.problems if row else {}
    return {f"problem_{code}": problems.get(code, "") for code in v.SLUM_INDICATORS}


def _percents(survey):
    return (
        watsan.coverage(survey.households_safe_water, survey.households),
        watsan.coverage(survey.households_safe_sanitation, survey.households),
    )


def _tipp_again(place, register, form, member_form):
    members = _members(place.id)
    return render_template(
        "dfat/tipp.html",
        kelurahan=place,
        register=register,
        members=members,
        balance=watsan.gender_balance(m.gender for m in members),
        form=form,
        member_form=member_form,
        may_write=True,
        **_labels(),
    )


def _labels():
    return {"vocabulary": v, "stages": stages, "watsan": watsan, "percents": _percents}
