"""Admin screens: a list, a create form, an edit form and a guarded delete for each table in resources.py."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from .. import audit, db
from ..access import may
from ..models import Kelurahan
from . import bp
from .forms import Unique
from .resources import RESOURCES

IN_USE = "Data ini masih dipakai data lain, jadi tidak dapat dihapus."


@bp.get("/")
@may("admin")
def index():
    """The admin menu, with how many rows each section holds."""
    sections = [(r.menu, f"org.{r.name}_list", _count(db.select(r.model))) for r in RESOURCES]
    return render_template("org/index.html", sections=sections)


def list_rows(resource):
    """Every row of the table, or those of one kelurahan (`?kelurahan_id=`) where the list allows it."""
    kelurahan = None
    query = resource.rows()
    if resource.by_kelurahan and "kelurahan_id" in request.args:
        kelurahan = _get(Kelurahan, request.args["kelurahan_id"])
        query = query.where(resource.model.kelurahan_id == kelurahan.id)
    chips = (
        db.session.scalars(db.select(Kelurahan).order_by(Kelurahan.name)).all()
        if resource.by_kelurahan
        else []
    )
    rows = db.session.scalars(query).all()
    return render_template("org/list.html", r=resource, rows=rows, kelurahan=kelurahan, all_kelurahan=chips)


def new_row(resource):
    """Add a row, with the columns the URL names already chosen (e.g. a KSM's kelurahan)."""
    prefill = {name: request.args.get(name, type=int) for name in resource.prefill}
    return _save(resource, resource.form(**prefill), resource.model(), resource.add)


def edit_row(resource, row_id):
    """Change a row."""
    row = _get(resource.model, row_id)
    return _save(resource, resource.form(row=row), row, f"Ubah {resource.label(row)}")


def delete_row(resource, row_id):
    """Ask first (GET), then delete (POST); refuse while other rows depend on this one."""
    row = _get(resource.model, row_id)
    label = resource.label(row)
    reason = next((message for test, message in resource.blockers(row) if _found(test)), None)
    if request.method == "POST" and reason is None:
        if resource.before_delete:
            resource.before_delete(row)
        kelurahan_id = None if isinstance(row, Kelurahan) else _kelurahan_id(row)
        audit.log("deleted", resource.name, row.id, kelurahan_id=kelurahan_id, name=label)
        db.session.delete(row)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            reason = IN_USE
        else:
            flash(f"{label} sudah dihapus.", "success")
            return redirect(url_for(f"org.{resource.name}_list"))
    page = render_template("org/delete.html", row=row, kind=resource.name, label=label, reason=reason)
    return page, 409 if request.method == "POST" else 200


def _register(resource):
    """The four pages of one table, at the URLs and endpoint names the templates and tests use."""
    base = f"/{resource.path}"
    for suffix, rule, view, methods in (
        ("list", base, list_rows, ["GET"]),
        ("new", f"{base}/new", new_row, ["GET", "POST"]),
        ("edit", f"{base}/<int:row_id>", edit_row, ["GET", "POST"]),
        ("delete", f"{base}/<int:row_id>/delete", delete_row, ["GET", "POST"]),
    ):
        bp.add_url_rule(
            rule, f"{resource.name}_{suffix}", may("admin")(partial(view, resource)), methods=methods
        )


for resource in RESOURCES:
    _register(resource)


def _save(resource, form, row, title):
    """Show the form; on a valid POST copy it into the row, audit, commit and go back to the list."""
    kind = resource.name
    delete_url = url_for(f"org.{kind}_delete", row_id=row.id) if row.id else None
    if form.validate_on_submit():
        action = "updated" if row.id else "created"
        try:
            with db.session.no_autoflush:  # keep the change history whole until it is read
                form.apply(row)
                detail = {"fields": _changed(row)} if action == "updated" else {}
            db.session.add(row)
            db.session.flush()
            if resource.before_commit:
                resource.before_commit(row, form)
            audit.log(action, kind, row.id, kelurahan_id=_kelurahan_id(row), **detail)
            db.session.commit()
        except IntegrityError:
            # Another admin saved the same name a moment ago: the unique constraint caught it.
            db.session.rollback()
            for field in form:
                field.errors += [v.message for v in field.validators if isinstance(v, Unique)]
        else:
            flash(f"{resource.label(row)} sudah disimpan.", "success")
            return redirect(url_for(f"org.{kind}_list"))
    page = render_template("org/form.html", form=form, title=title, kind=kind, delete_url=delete_url)
    return page, 400 if form.errors else 200


def _get(model, row_id):
    row = db.session.get(model, int(row_id)) if str(row_id).isdigit() else None
    if row is None:
        abort(404)
    return row


def _count(query):
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))


def _found(test):
    """A blocker holds: it is True, or its query finds a row."""
    return test if isinstance(test, bool) else _count(test) > 0


def _changed(row):
    """The names of the row's columns and relationships that were set to a new value."""
    return sorted(a.key for a in inspect(row).attrs if a.history.has_changes())


def _kelurahan_id(row):
    """The kelurahan an audit entry about this row belongs to (None above the kelurahan level)."""
    return row.id if isinstance(row, Kelurahan) else getattr(row, "kelurahan_id", None)
