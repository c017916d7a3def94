"""The admin screens as data: for each table its form, list columns, labels and what blocks a delete.

routes.py turns every entry into the same four pages (list, new, edit, delete), so a new admin table is
one more entry here and one more form in forms.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for
from flask_login import current_user

from .. import db
from ..formatting import tanggal_pendek
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
from .forms import (
    PAY_PERIOD_LABELS,
    ROLE_LABELS,
    BkmForm,
    KecamatanForm,
    KelurahanForm,
    KotaForm,
    KsmForm,
    ProgrammeYearForm,
    UserForm,
)


@dataclass(frozen=True)
class Column:
    """One column of a list: its heading, the value of a row, and how the value is shown.

    `show` is "text" (an empty value shows "—"), "num", "rupiah", "tags" (a list) or "status" (active or
    not); `note` adds a second, small line; `link` makes the value a link (the first column always links to
    the row's edit form).
    """

    heading: str
    value: Callable
    show: str = "text"
    note: Callable | None = None
    link: Callable | None = None


@dataclass(frozen=True)
class Resource:
    """One admin table: its endpoints are `org.<name>_list`, `_new`, `_edit` and `_delete` under `/<path>`."""

    name: str  # the table name, which names the endpoints and the audit entries
    path: str
    model: type
    form: type
    menu: str  # the entry on the admin menu
    title: str  # the list page's <title>
    heading: str  # the list page's <h1>
    add: str  # the add button and the new form's heading
    empty: str  # the list without rows; ends with "." (a kelurahan filter is named before it)
    label: Callable  # how a row is named in messages
    rows: Callable  # the query of the list, in its order
    columns: tuple[Column, ...]
    # Reasons a row may not be deleted: (True or a query that finds rows, the message) for a row.
    blockers: Callable = lambda row: []
    # Columns a new row's form takes from the URL, e.g. `?kelurahan_id=` from a kelurahan's KSM list.
    prefill: tuple[str, ...] = ()
    by_kelurahan: bool = False  # the list can be narrowed to one kelurahan (`?kelurahan_id=`)
    before_commit: Callable | None = None  # (row, form), after a save is flushed
    before_delete: Callable | None = None  # (row)


def _end_sessions(user, form):
    """A new password or deactivation ends the user's sessions (except the admin's own, this one)."""
    if form.password.data or not user.active:
        db.session.execute(
            db.delete(UserSession).where(
                UserSession.user_id == user.id, UserSession.token != current_user.session_token
            )
        )


def _unlink_audit(kelurahan):
    """The audit entries stay; only their link to the kelurahan being deleted goes."""
    db.session.execute(
        db.update(AuditLog).where(AuditLog.kelurahan_id == kelurahan.id).values(kelurahan_id=None)
    )


def _user_scope(user):
    """Where an account works, as the users list names it."""
    if user.role == "fasilitator":
        return ", ".join(k.name for k in user.kelurahan)
    if user.role == "bendahara" and user.ksm:
        return user.ksm.name
    if user.role == "supervisor" and user.kota:
        return f"Kota {user.kota.name}"
    return "Semua" if user.role == "admin" else None


def _tranches(plan):
    return ", ".join(f"Tahap {i}: {pct} %" for i, pct in enumerate(plan.tranche_percentages, start=1))


RESOURCES = (
    Resource(
        name="kota",
        path="kota",
        model=Kota,
        form=KotaForm,
        menu="Kota dan tarif upah",
        title="Kota",
        heading="Kota dan tarif upah harian",
        add="Tambah kota",
        empty="Belum ada kota. Tambahkan kota dulu, lalu kecamatan dan kelurahannya.",
        label=lambda r: f"Kota {r.name}",
        rows=lambda: db.select(Kota).order_by(Kota.name),
        columns=(
            Column("Kota", lambda r: r.name),
            Column("Pekerja", lambda r: r.wage_pekerja, "rupiah"),
            Column("Tukang", lambda r: r.wage_tukang, "rupiah"),
            Column("Mandor", lambda r: r.wage_mandor, "rupiah"),
            Column("Kecamatan", lambda r: len(r.kecamatan), "num"),
        ),
        blockers=lambda r: [
            (db.select(Kecamatan).filter_by(kota_id=r.id), "Kota ini masih punya kecamatan."),
            (db.select(User).filter_by(kota_id=r.id), "Kota ini masih menjadi wilayah supervisor."),
        ],
    ),
    Resource(
        name="kecamatan",
        path="kecamatan",
        model=Kecamatan,
        form=KecamatanForm,
        menu="Kecamatan",
        title="Kecamatan",
        heading="Kecamatan",
        add="Tambah kecamatan",
        empty="Belum ada kecamatan.",
        label=lambda r: f"Kecamatan {r.name}",
        rows=lambda: db.select(Kecamatan).join(Kota).order_by(Kota.name, Kecamatan.name),
        columns=(
            Column("Kecamatan", lambda r: r.name),
            Column("Kota", lambda r: r.kota.name),
            Column("Kelurahan", lambda r: len(r.kelurahan), "num"),
        ),
        blockers=lambda r: [
            (db.select(Kelurahan).filter_by(kecamatan_id=r.id), "Kecamatan ini masih punya kelurahan.")
        ],
    ),
    Resource(
        name="kelurahan",
        path="kelurahan",
        model=Kelurahan,
        form=KelurahanForm,
        menu="Kelurahan",
        title="Kelurahan",
        heading="Kelurahan",
        add="Tambah kelurahan",
        empty="Belum ada kelurahan.",
        label=lambda r: f"Kelurahan {r.name}",
        rows=lambda: db.select(Kelurahan).join(Kecamatan).order_by(Kecamatan.name, Kelurahan.name),
        columns=(
            Column("Kelurahan", lambda r: r.name),
            Column("Kecamatan", lambda r: r.kecamatan.name),
            Column("Program", lambda r: r.programmes, "tags"),
            Column("Tipologi", lambda r: r.typology),
            Column("Alokasi BPM", lambda r: r.bpm_allocation, "rupiah"),
            Column(
                "KSM", lambda r: len(r.ksm), "num", link=lambda r: url_for("org.ksm_list", kelurahan_id=r.id)
            ),
        ),
        blockers=lambda r: [
            (db.select(Bkm).filter_by(kelurahan_id=r.id), "Kelurahan ini masih punya BKM."),
            (db.select(Ksm).filter_by(kelurahan_id=r.id), "Kelurahan ini masih punya KSM."),
            (
                db.select(user_kelurahan).filter_by(kelurahan_id=r.id),
                "Kelurahan ini masih ditugaskan ke fasilitator.",
            ),
            (db.select(Conflict).filter_by(kelurahan_id=r.id), "Kelurahan ini punya konflik data."),
        ],
        before_delete=_unlink_audit,
    ),
    Resource(
        name="bkm",
        path="bkm",
        model=Bkm,
        form=BkmForm,
        menu="BKM/LKM",
        title="BKM/LKM",
        heading="BKM/LKM",
        add="Tambah BKM",
        empty="Belum ada BKM.",
        label=lambda r: r.name,
        rows=lambda: db.select(Bkm).join(Kelurahan).order_by(Kelurahan.name),
        columns=(
            Column("BKM", lambda r: r.name),
            Column("Kelurahan", lambda r: r.kelurahan.name),
            Column("Koordinator", lambda r: r.chair),
            Column("Rekening", lambda r: r.bank_account),
        ),
        prefill=("kelurahan_id",),
    ),
    Resource(
        name="ksm",
        path="ksm",
        model=Ksm,
        form=KsmForm,
        menu="KSM",
        title="KSM",
        heading="KSM",
        add="Tambah KSM",
        empty="Belum ada KSM.",
        label=lambda r: r.name,
        rows=lambda: db.select(Ksm).join(Kelurahan).order_by(Kelurahan.name, Ksm.name),
        columns=(
            Column("KSM dan kegiatan", lambda r: r.name, note=lambda r: r.activity),
            Column("Kelurahan", lambda r: r.kelurahan.name),
            Column("Program", lambda r: r.programme),
            Column("Anggaran", lambda r: r.budget, "rupiah"),
            Column("Masa kerja", lambda r: f"{tanggal_pendek(r.start_date)} – {tanggal_pendek(r.end_date)}"),
            Column("Bayar upah", lambda r: PAY_PERIOD_LABELS.get(r.pay_period, r.pay_period)),
        ),
        blockers=lambda r: [
            (db.select(Worker).filter_by(ksm_id=r.id), "KSM ini sudah punya pekerja terdaftar."),
            (db.select(User).filter_by(ksm_id=r.id), "KSM ini masih terhubung dengan akun bendahara."),
        ],
        prefill=("kelurahan_id",),
        by_kelurahan=True,
    ),
    Resource(
        name="user",
        path="users",
        model=User,
        form=UserForm,
        menu="Pengguna",
        title="Pengguna",
        heading="Pengguna",
        add="Tambah pengguna",
        empty="Belum ada pengguna.",
        label=lambda r: f"Pengguna {r.username}",
        rows=lambda: db.select(User).order_by(User.active.desc(), User.username),
        columns=(
            Column("Nama pengguna", lambda r: r.username),
            Column("Nama lengkap", lambda r: r.full_name),
            Column("Peran", lambda r: ROLE_LABELS.get(r.role, r.role)),
            Column("Wilayah tugas", _user_scope),
            Column("Status", lambda r: r.active, "status"),
        ),
        blockers=lambda r: [
            (r.id == current_user.id, "Anda tidak dapat menghapus akun Anda sendiri."),
            (
                db.select(AuditLog).filter_by(user_id=r.id),
                "Pengguna ini sudah punya riwayat kerja. Nonaktifkan saja akunnya.",
            ),
        ],
        before_commit=_end_sessions,
    ),
    Resource(
        name="programme_year",
        path="programme-years",
        model=ProgrammeYear,
        form=ProgrammeYearForm,
        menu="Tahap BPM dan target upah",
        title="Tahap BPM",
        heading="Tahap BPM dan target upah",
        add="Tambah rencana tahun program",
        empty="Belum ada rencana tahun program.",
        label=lambda r: f"Rencana {r.programme} {r.year}",
        rows=lambda: db.select(ProgrammeYear).order_by(ProgrammeYear.year.desc(), ProgrammeYear.programme),
        columns=(
            Column("Tahun", lambda r: r.year),
            Column("Program", lambda r: r.programme),
            Column("Tahap BPM", _tranches),
            Column("Target porsi upah", lambda r: f"{r.wage_share_target} %", "num"),
        ),
    ),
)
BY_NAME = {resource.name: resource for resource in RESOURCES}
