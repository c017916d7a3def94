"""Admin screens: a list, a create form, an edit form and a guarded delete for each kind of row."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from .. import audit, db
from ..access import roles
from ..models import (
    AuditLog,
    Bkm,
    Conflict,
    Kecamatan,
    Kelurahan,
    Kota,
    Ksm,
    ProgrammeYear,
    User,
    UserSession,
    Worker,
    user_kelurahan,
)
from . import bp
from .forms import (
    PAY_PERIOD_LABELS,
    ROLE_LABELS,
    BkmForm,
    KecamatanForm,
    KelurahanForm,
    KotaForm,
    KsmForm,
    ProgrammeYearForm,
    Unique,
    UserForm,
)

# How a row is named in messages, by table name.
LABELS = {
    "kota": lambda r: f"Kota {r.name}",
    "kecamatan": lambda r: f"Kecamatan {r.name}",
    "kelurahan": lambda r: f"Kelurahan {r.name}",
    "bkm": lambda r: r.name,
    "ksm": lambda r: r.name,
    "user": lambda r: f"Pengguna {r.username}",
    "programme_year": lambda r: f"Rencana {r.programme} {r.year}",
}
IN_USE = "Data ini masih dipakai data lain, jadi tidak dapat dihapus."


@bp.get("/")
@roles("admin")
def index():
    """The admin menu, with how many rows each section holds."""
    sections = [
        ("Kota dan tarif upah", "org.kota_list", Kota),
        ("Kecamatan", "org.kecamatan_list", Kecamatan),
        ("Kelurahan", "org.kelurahan_list", Kelurahan),
        ("BKM/LKM", "org.bkm_list", Bkm),
        ("KSM", "org.ksm_list", Ksm),
        ("Pengguna", "org.user_list", User),
        ("Tahap BPM dan target upah", "org.programme_year_list", ProgrammeYear),
    ]
    counts = [(label, endpoint, _count(db.select(model))) for label, endpoint, model in sections]
    return render_template("org/index.html", sections=counts)


# Kota


@bp.get("/kota")
@roles("admin")
def kota_list():
    """Every kota with its daily wage rates."""
    return render_template("org/kota.html", rows=_all(Kota, Kota.name))


@bp.route("/kota/new", methods=["GET", "POST"])
@roles("admin")
def kota_new():
    """Add a kota and its wage rates."""
    return _save(KotaForm(), Kota(), "Tambah kota")


@bp.route("/kota/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def kota_edit(row_id):
    """Change a kota's name or wage rates."""
    kota = _get(Kota, row_id)
    return _save(KotaForm(row=kota), kota, f"Ubah {_label(kota)}")


@bp.route("/kota/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def kota_delete(row_id):
    """Delete a kota that has no kecamatan and no supervisor."""
    kota = _get(Kota, row_id)
    return _delete(
        kota,
        [
            (db.select(Kecamatan).filter_by(kota_id=kota.id), "Kota ini masih punya kecamatan."),
            (db.select(User).filter_by(kota_id=kota.id), "Kota ini masih menjadi wilayah supervisor."),
        ],
    )


# Kecamatan


@bp.get("/kecamatan")
@roles("admin")
def kecamatan_list():
    """Every kecamatan with its kota."""
    rows = db.session.scalars(db.select(Kecamatan).join(Kota).order_by(Kota.name, Kecamatan.name)).all()
    return render_template("org/kecamatan.html", rows=rows)


@bp.route("/kecamatan/new", methods=["GET", "POST"])
@roles("admin")
def kecamatan_new():
    """Add a kecamatan to a kota."""
    return _save(KecamatanForm(), Kecamatan(), "Tambah kecamatan")


@bp.route("/kecamatan/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def kecamatan_edit(row_id):
    """Rename a kecamatan or move it to another kota."""
    kecamatan = _get(Kecamatan, row_id)
    return _save(KecamatanForm(row=kecamatan), kecamatan, f"Ubah {_label(kecamatan)}")


@bp.route("/kecamatan/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def kecamatan_delete(row_id):
    """Delete a kecamatan that has no kelurahan."""
    kecamatan = _get(Kecamatan, row_id)
    return _delete(
        kecamatan,
        [(db.select(Kelurahan).filter_by(kecamatan_id=kecamatan.id), "Kecamatan ini masih punya kelurahan.")],
    )


# Kelurahan


@bp.get("/kelurahan")
@roles("admin")
def kelurahan_list():
    """Every kelurahan: programmes, typology, BPM allocation, KSM count."""
    rows = db.session.scalars(db.select(Kelurahan).join(Kecamatan).order_by(Kecamatan.name, Kelurahan.name))
    return render_template("org/kelurahan.html", rows=rows.all())


@bp.route("/kelurahan/new", methods=["GET", "POST"])
@roles("admin")
def kelurahan_new():
    """Add a kelurahan to a kecamatan."""
    return _save(KelurahanForm(), Kelurahan(), "Tambah kelurahan")


@bp.route("/kelurahan/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def kelurahan_edit(row_id):
    """Change a kelurahan's programmes, typology or BPM allocation."""
    kelurahan = _get(Kelurahan, row_id)
    return _save(KelurahanForm(row=kelurahan), kelurahan, f"Ubah {_label(kelurahan)}")


@bp.route("/kelurahan/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def kelurahan_delete(row_id):
    """Delete a kelurahan with no BKM, KSM, facilitator or conflict."""
    kelurahan = _get(Kelurahan, row_id)
    where = {"kelurahan_id": kelurahan.id}
    return _delete(
        kelurahan,
        [
            (db.select(Bkm).filter_by(**where), "Kelurahan ini masih punya BKM."),
            (db.select(Ksm).filter_by(**where), "Kelurahan ini masih punya KSM."),
            (db.select(user_kelurahan).filter_by(**where), "Kelurahan ini masih ditugaskan ke fasilitator."),
            (db.select(Conflict).filter_by(**where), "Kelurahan ini punya konflik data."),
        ],
        before_delete=_unlink_audit,
    )


def _unlink_audit(kelurahan):
    """The audit entries stay; only their link to the kelurahan being deleted goes."""
    db.session.execute(
        db.update(AuditLog).where(AuditLog.kelurahan_id == kelurahan.id).values(kelurahan_id=None)
    )


# BKM


@bp.get("/bkm")
@roles("admin")
def bkm_list():
    """Every BKM with its kelurahan, coordinator and bank account."""
    rows = db.session.scalars(db.select(Bkm).join(Kelurahan).order_by(Kelurahan.name)).all()
    return render_template("org/bkm.html", rows=rows)


@bp.route("/bkm/new", methods=["GET", "POST"])
@roles("admin")
def bkm_new():
    """Add the BKM of a kelurahan."""
    return _save(BkmForm(kelurahan_id=request.args.get("kelurahan_id", type=int)), Bkm(), "Tambah BKM")


@bp.route("/bkm/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def bkm_edit(row_id):
    """Change a BKM's name, coordinator or bank account."""
    bkm = _get(Bkm, row_id)
    return _save(BkmForm(row=bkm), bkm, f"Ubah {_label(bkm)}")


@bp.route("/bkm/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def bkm_delete(row_id):
    """Delete a BKM (nothing is recorded against it)."""
    return _delete(_get(Bkm, row_id), [])


# KSM


@bp.get("/ksm")
@roles("admin")
def ksm_list():
    """Every KSM, or those of one kelurahan (`?kelurahan_id=`)."""
    kelurahan = _get(Kelurahan, request.args["kelurahan_id"]) if "kelurahan_id" in request.args else None
    query = db.select(Ksm).join(Kelurahan).order_by(Kelurahan.name, Ksm.name)
    if kelurahan:
        query = query.where(Ksm.kelurahan_id == kelurahan.id)
    return render_template(
        "org/ksm.html",
        rows=db.session.scalars(query).all(),
        kelurahan=kelurahan,
        all_kelurahan=_all(Kelurahan, Kelurahan.name),
        periods=PAY_PERIOD_LABELS,
    )


@bp.route("/ksm/new", methods=["GET", "POST"])
@roles("admin")
def ksm_new():
    """Add a KSM: activity, budget, dates, officers, pay period, optional wage rates."""
    return _save(KsmForm(kelurahan_id=request.args.get("kelurahan_id", type=int)), Ksm(), "Tambah KSM")


@bp.route("/ksm/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def ksm_edit(row_id):
    """Change a KSM."""
    ksm = _get(Ksm, row_id)
    return _save(KsmForm(row=ksm), ksm, f"Ubah {_label(ksm)}")


@bp.route("/ksm/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def ksm_delete(row_id):
    """Delete a KSM with no workers and no bendahara account."""
    ksm = _get(Ksm, row_id)
    return _delete(
        ksm,
        [
            (db.select(Worker).filter_by(ksm_id=ksm.id), "KSM ini sudah punya pekerja terdaftar."),
            (db.select(User).filter_by(ksm_id=ksm.id), "KSM ini masih terhubung dengan akun bendahara."),
        ],
    )


# Users


@bp.get("/users")
@roles("admin")
def user_list():
    """Every account with its role, scope and whether it is active."""
    rows = db.session.scalars(db.select(User).order_by(User.active.desc(), User.username)).all()
    return render_template("org/users.html", rows=rows, roles=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@roles("admin")
def user_new():
    """Add an account with its role, scope and first password."""
    return _save(UserForm(), User(), "Tambah pengguna")


@bp.route("/users/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def user_edit(row_id):
    """Change an account; a new password or deactivation signs it out everywhere."""
    user = _get(User, row_id)
    return _save(UserForm(row=user), user, f"Ubah {_label(user)}", before_commit=_end_sessions)


@bp.route("/users/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def user_delete(row_id):
    """Delete an account that never did anything (otherwise deactivate it)."""
    user = _get(User, row_id)
    return _delete(
        user,
        [
            (user.id == current_user.id, "Anda tidak dapat menghapus akun Anda sendiri."),
            (
                db.select(AuditLog).filter_by(user_id=user.id),
                "Pengguna ini sudah punya riwayat kerja. Nonaktifkan saja akunnya.",
            ),
        ],
    )


def _end_sessions(user, form):
    """A new password or deactivation ends the user's sessions (except the admin's own, this one)."""
    if form.password.data or not user.active:
        db.session.execute(
            db.delete(UserSession).where(
                UserSession.user_id == user.id, UserSession.token != current_user.session_token
            )
        )


# Programme years


@bp.get("/programme-years")
@roles("admin")
def programme_year_list():
    """The tranche split and wage-share target of each programme year."""
    rows = db.session.scalars(
        db.select(ProgrammeYear).order_by(ProgrammeYear.year.desc(), ProgrammeYear.programme)
    ).all()
    return render_template("org/programme_years.html", rows=rows)


@bp.route("/programme-years/new", methods=["GET", "POST"])
@roles("admin")
def programme_year_new():
    """Add the tranche plan of a programme in a year."""
    return _save(ProgrammeYearForm(), ProgrammeYear(), "Tambah rencana tahun program")


@bp.route("/programme-years/<int:row_id>", methods=["GET", "POST"])
@roles("admin")
def programme_year_edit(row_id):
    """Change a tranche plan or wage-share target."""
    plan = _get(ProgrammeYear, row_id)
    return _save(ProgrammeYearForm(row=plan), plan, f"Ubah {_label(plan)}")


@bp.route("/programme-years/<int:row_id>/delete", methods=["GET", "POST"])
@roles("admin")
def programme_year_delete(row_id):
    """Delete a tranche plan."""
    return _delete(_get(ProgrammeYear, row_id), [])


# Shared steps


def _save(form, row, title, before_commit=None):
    """Show the form; on a valid POST copy it into the row, audit, commit and go back to the list."""
    kind = row.__tablename__
    delete_url = url_for(f"org.{kind}_delete", row_id=row.id) if row.id else None
    if form.validate_on_submit():
        action = "updated" if row.id else "created"
        try:
            with db.session.no_autoflush:  # keep the change history whole until it is read
                form.apply(row)
                detail = {"fields": _changed(row)} if action == "updated" else {}
            db.session.add(row)
            db.session.flush()
            if before_commit:
                before_commit(row, form)
            audit.log(action, kind, row.id, kelurahan_id=_kelurahan_id(row), **detail)
            db.session.commit()
        except IntegrityError:
            # Another admin saved the same name a moment ago: the unique constraint caught it.
            db.session.rollback()
            for field in form:
                field.errors += [v.message for v in field.validators if isinstance(v, Unique)]
        else:
            flash(f"{_label(row)} sudah disimpan.", "success")
            return redirect(url_for(f"org.{kind}_list"))
    page = render_template("org/form.html", form=form, title=title, kind=kind, delete_url=delete_url)
    return page, 400 if form.errors else 200


def _delete(row, blockers, before_delete=None):
    """Ask first (GET), then delete (POST); refuse while a blocker is true (or its query finds rows)."""
    kind, label = row.__tablename__, _label(row)
    reason = next((message for test, message in blockers if _found(test)), None)
    if request.method == "POST" and reason is None:
        if before_delete:
            before_delete(row)
        kelurahan_id = None if isinstance(row, Kelurahan) else _kelurahan_id(row)
        audit.log("deleted", kind, row.id, kelurahan_id=kelurahan_id, name=label)
        db.session.delete(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            reason = IN_USE
        else:
            flash(f"{label} sudah dihapus.", "success")
            return redirect(url_for(f"org.{kind}_list"))
    page = render_template("org/delete.html", row=row, kind=kind, label=label, reason=reason)
    return page, 409 if request.method == "POST" else 200


def _get(model, row_id):
    row = db.session.get(model, int(row_id)) if str(row_id).isdigit() else None
    if row is None:
        abort(404)
    return row


def _all(model, order):
    return db.session.scalars(db.select(model).order_by(order)).all()


def _count(query):
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))


def _found(test):
    """A blocker holds: it is True, or its query finds a row."""
    return test if isinstance(test, bool) else _count(test) > 0


def _changed(row):
    """The names of the row's columns and relationships that were set to a new value."""
    return sorted(a.key for a in inspect(row).attrs if a.history.has_changes())


def _label(row):
    return LABELS[row.__tablename__](row)


def _kelurahan_id(row):
    """The kelurahan an audit entry about this row belongs to (None above the kelurahan level)."""
    return row.id if isinstance(row, Kelurahan) else getattr(row, "kelurahan_id", None)
