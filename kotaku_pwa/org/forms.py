"""The admin forms: every rule a row must meet, with the message shown on the field (in Indonesian)."""

import re

from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput

from .. import db
from ..auth.passwords import password_problem
from ..models import Bkm, Kecamatan, Kelurahan, Kota, Ksm, ProgrammeYear, User
from ..roles import ROLE_LABELS  # the admin user form's role choices come from the table of roles
from ..safetext import text_problem
from ..vocabulary import PAY_PERIOD_LABELS, PROGRAMMES

# WTForms ships no Indonesian catalogue: these are the built-in messages an admin can meet.
MESSAGES = {
    "Not a valid integer value.": "Isi dengan angka bulat.",
    "Not a valid date value.": "Isi tanggal yang benar.",
    "Not a valid choice.": "Pilih salah satu dari daftar.",
    "Invalid Choice: could not coerce.": "Pilih salah satu dari daftar.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Pilih dari daftar.",
    "'%(value)s' is not a valid choice for this field.": "Pilihan tidak ada dalam daftar.",
    "'%(value)s' are not valid choices for this field.": "Pilihan tidak ada dalam daftar.",
    "This field is required.": "Wajib diisi.",
}
MAX_RUPIAH = 2_000_000_000  # fits a 32-bit INTEGER column on PostgreSQL
TYPOLOGIES = ("tepi air", "di atas air", "perbukitan", "dataran rendah", "rawan bencana")
PICK = "— pilih —"


class _Indonesian:
    def gettext(self, string):
        return MESSAGES.get(string, string)

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class OrgForm(FlaskForm):
    """A form for one row; `row` is the row being edited (None when creating)."""

    class Meta:
        def get_translations(self, form):
            return _Indonesian()

    def __init__(self, row=None, **kwargs):
        super().__init__(obj=row, **kwargs)
        self.row = row

    def apply(self, row):
        """Copy the entries into the row (the field names are its columns)."""
        for name, field in self._fields.items():
            if name != "csrf_token":
                field.populate_obj(row, name)


class Unique:
    """No other row has this value (within the rows sharing the `within` fields' values)."""

    def __init__(self, column, message, within=()):
        self.column, self.message, self.within = column, message, within

    def __call__(self, form, field):
        column, value = self.column, field.data
        if isinstance(value, str):
            column, value = db.func.lower(column), value.lower()
        query = db.select(self.column.class_).where(column == value)
        for name in self.within:
            query = query.where(getattr(self.column.class_, name) == form[name].data)
        if form.row is not None:
            query = query.where(self.column.class_.id != form.row.id)
        if db.session.execute(query.limit(1)).first():
            raise ValidationError(self.message)


class WholeNumberField(IntegerField):
    """An integer that may be typed the Indonesian way: `Rp 1.250.000`."""

    def process_formdata(self, valuelist):
        cleaned = [re.sub(r"^rp\.?|[.\s]", "", v.strip(), flags=re.I) for v in valuelist]
        if cleaned and cleaned[0] == "":
            self.data = None
            return
        super().process_formdata(cleaned)

    def pre_validate(self, form):
        if self.process_errors:  # "not a number" says it all: skip the range message
            raise StopValidation()


class PercentListField(StringField):
    """Tranche percentages typed as `70, 30`; the data is `[70, 30]` (None when not numbers)."""

    def _value(self):
        return self.raw_data[0] if self.raw_data else ", ".join(map(str, self.data or []))

    def process_formdata(self, valuelist):
        if valuelist:
            parts = [p for p in re.split(r"[,;+/\s%]+", valuelist[0]) if p]
            self.data = [int(p) for p in parts] if all(re.fullmatch(r"-?\d+", p) for p in parts) else None


def _clean(value):
    return (value.strip() or None) if isinstance(value, str) else value


def _blank_or(coerce):
    return lambda value: None if value in ("", None) else coerce(value)


def _lower(value):
    return value.lower() if value else value


# Field factories: the label and messages differ, the rules stay the same.


def text(label, max=100, required=True, message="Wajib diisi.", extra=(), filters=()):
    """A trimmed text field; empty becomes None."""
    first = DataRequired(message) if required else Optional()
    return StringField(
        label,
        filters=[_clean, *filters],
        validators=[first, Length(max=max, message=f"Maksimal {max} karakter."), plain_text, *extra],
    )


def plain_text(form, field):
    """Refuse control characters, bidi overrides and line breaks (safetext.py), as the sync does."""
    problem = text_problem(field.data) if isinstance(field.data, str) else None
    if problem:
        raise StopValidation(problem)


def rupiah(label, min=0, max=MAX_RUPIAH, required=True, **kwargs):
    """A whole-Rupiah amount between min and max."""
    first = InputRequired("Isi jumlahnya.") if required else Optional()
    message = f"Harus antara Rp {min:,} dan Rp {max:,}.".replace(",", ".")
    return WholeNumberField(label, validators=[first, NumberRange(min, max, message)], **kwargs)


def wage(label, required=True, **kwargs):
    return rupiah(label, min=1, max=1_000_000, required=required, **kwargs)


def options(pairs, blank=None):
    """Select options from (value, label) pairs, after an empty choice labelled `blank` if given."""
    first = [SelectChoice("", blank)] if blank else []
    return first + [SelectChoice(value, label) for value, label in pairs]


def _kelurahan_options(blank=None):
    rows = db.session.scalars(db.select(Kelurahan).join(Kecamatan).order_by(Kelurahan.name, Kecamatan.name))
    return options(((k.id, f"{k.name} (Kec. {k.kecamatan.name})") for k in rows), blank)


def place(label, message, extra=()):
    """A required pick of a kota, kecamatan or kelurahan; empty until the admin chooses."""
    return SelectField(label, coerce=_blank_or(int), validators=[InputRequired(message), *extra])


class KotaForm(OrgForm):
    name = text("Nama kota", message="Isi nama kota.", extra=[Unique(Kota.name, "Kota ini sudah ada.")])
    wage_pekerja = wage("Upah harian pekerja (Rp)", default=76000)
    wage_tukang = wage("Upah harian tukang (Rp)", default=85000)
    wage_mandor = wage("Upah harian mandor (Rp)", default=95000)


class KecamatanForm(OrgForm):
    kota_id = place("Kota", "Pilih kota.")
    name = text(
        "Nama kecamatan",
        message="Isi nama kecamatan.",
        extra=[Unique(Kecamatan.name, "Kecamatan ini sudah ada di kota tersebut.", within=["kota_id"])],
    )

    def __init__(self, row=None, **kwargs):
        super().__init__(row, **kwargs)
        kotas = db.session.scalars(db.select(Kota).order_by(Kota.name))
        self.kota_id.choices = options(((k.id, k.name) for k in kotas), PICK)


class KelurahanForm(OrgForm):
    kecamatan_id = place("Kecamatan", "Pilih kecamatan.")
    name = text(
        "Nama kelurahan",
        message="Isi nama kelurahan.",
        extra=[
            Unique(Kelurahan.name, "Kelurahan ini sudah ada di kecamatan tersebut.", within=["kecamatan_id"])
        ],
    )
    cfw = BooleanField("Program CFW (Padat Karya)")
    dfat = BooleanField("Program KOTAKU-DFAT")
    typology = SelectField(
        "Tipologi kumuh",
        coerce=_blank_or(str),
        choices=options(((t, t.capitalize()) for t in TYPOLOGIES), blank="— belum diisi —"),
    )
    bpm_allocation = rupiah("Alokasi BPM (Rp)", default=0)

    def __init__(self, row=None, **kwargs):
        super().__init__(row, **kwargs)
        rows = db.session.scalars(db.select(Kecamatan).join(Kota).order_by(Kecamatan.name, Kota.name))
        self.kecamatan_id.choices = options(((k.id, f"{k.name} ({k.kota.name})") for k in rows), PICK)

    def validate_cfw(self, field):
        if not (self.cfw.data or self.dfat.data):
            raise ValidationError("Pilih minimal satu program: CFW atau DFAT.")


class BkmForm(OrgForm):
    kelurahan_id = place(
        "Kelurahan", "Pilih kelurahan.", extra=[Unique(Bkm.kelurahan_id, "Kelurahan ini sudah punya BKM.")]
    )
    name = text("Nama BKM/LKM", max=150, message="Isi nama BKM.")
    chair = text("Koordinator BKM", required=False)
    bank_account = text("Rekening bank (bank dan nomor)", max=60, required=False)

    def __init__(self, row=None, **kwargs):
        super().__init__(row, **kwargs)
        self.kelurahan_id.choices = _kelurahan_options(PICK)


class KsmForm(OrgForm):
    kelurahan_id = place("Kelurahan", "Pilih kelurahan.")
    name = text(
        "Nama KSM",
        max=150,
        message="Isi nama KSM.",
        extra=[
            Unique(Ksm.name, "KSM dengan nama ini sudah ada di kelurahan tersebut.", within=["kelurahan_id"])
        ],
    )
    activity = text("Kegiatan", max=200, message="Isi kegiatan KSM.")
    # Its tranche plan and wage-share target are those of its own programme (issue 13).
    programme = SelectField("Program KSM", choices=options((p, p) for p in PROGRAMMES), default="CFW")
    budget = rupiah("Anggaran (Rp)")
    start_date = DateField("Tanggal mulai", validators=[InputRequired("Isi tanggal mulai.")])
    end_date = DateField("Tanggal selesai", validators=[InputRequired("Isi tanggal selesai.")])
    ketua = text("Ketua", message="Isi nama ketua KSM.")
    sekretaris = text("Sekretaris", message="Isi nama sekretaris KSM.")
    bendahara = text("Bendahara", message="Isi nama bendahara KSM.")
    pay_period = SelectField(
        "Periode pembayaran upah", choices=options(PAY_PERIOD_LABELS.items()), default="weekly"
    )
    wage_pekerja = wage("Upah pekerja khusus KSM ini (kosongkan = tarif kota)", required=False)
    wage_tukang = wage("Upah tukang khusus KSM ini (kosongkan = tarif kota)", required=False)
    wage_mandor = wage("Upah mandor khusus KSM ini (kosongkan = tarif kota)", required=False)

    def __init__(self, row=None, **kwargs):
        super().__init__(row, **kwargs)
        self.kelurahan_id.choices = _kelurahan_options(PICK)

    def validate_programme(self, field):
        kelurahan = db.session.get(Kelurahan, self.kelurahan_id.data) if self.kelurahan_id.data else None
        if kelurahan is not None and not field.raw_data:  # not sent: the kelurahan's own programme
            field.data = "DFAT" if kelurahan.dfat and not kelurahan.cfw else "CFW"
        if kelurahan is not None and field.data not in kelurahan.programmes:
            raise ValidationError(f"Kelurahan ini tidak menjalankan program {field.data}.")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("Tanggal selesai tidak boleh sebelum tanggal mulai.")


def check_list(field, **kwargs):
    """Render a multi-select as a column of tappable checkboxes."""
    boxes = (f'<label class="check">{option()} {escape(option.label.text)}</label>' for option in field)
    return Markup(f'<div class="checks" id="{field.id}">{"".join(boxes)}</div>')


class UserForm(OrgForm):
    username = text(
        "Nama pengguna",
        max=50,
        message="Isi nama pengguna.",
        filters=[_lower],
        extra=[
            Regexp(r"^[a-z0-9._-]{3,}$", message="Minimal 3 karakter: huruf kecil, angka, titik, - atau _."),
            Unique(User.username, "Nama pengguna ini sudah dipakai."),
        ],
    )
    full_name = text("Nama lengkap", message="Isi nama lengkap.")
    role = SelectField("Peran", choices=options(ROLE_LABELS.items()))
    password = PasswordField("Kata sandi (kosongkan bila tidak diganti)")
    active = BooleanField("Akun aktif", default=True)
    kelurahan_ids = SelectMultipleField(
        "Kelurahan tugas (untuk fasilitator)", coerce=int, widget=check_list, option_widget=CheckboxInput()
    )
    ksm_id = SelectField("KSM (untuk bendahara)", coerce=_blank_or(int))
    kota_id = SelectField("Kota (untuk supervisor)", coerce=_blank_or(int))

    def __init__(self, row=None, **kwargs):
        super().__init__(row, **kwargs)
        if row is None:
            self.password.label.text = "Kata sandi (minimal 10 karakter)"
        elif not self.is_submitted():
            self.kelurahan_ids.data = [k.id for k in row.kelurahan]
        self.kelurahan_ids.choices = _kelurahan_options()
        ksms = db.session.scalars(db.select(Ksm).join(Kelurahan).order_by(Kelurahan.name, Ksm.name))
        self.ksm_id.choices = options(
            ((k.id, f"{k.name} (Kel. {k.kelurahan.name})") for k in ksms), "— tidak ada —"
        )
        kotas = db.session.scalars(db.select(Kota).order_by(Kota.name))
        self.kota_id.choices = options(((k.id, k.name) for k in kotas), "— tidak ada —")

    def _is_self(self):
        return self.row is not None and self.row.id == current_user.id

    def validate_password(self, field):
        if not field.data and self.row is None:
            raise ValidationError("Isi kata sandi untuk pengguna baru.")
        problem = field.data and password_problem(field.data, self.username.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_role(self, field):
        if self._is_self() and field.data != self.row.role:
            raise ValidationError("Anda tidak dapat mengubah peran akun Anda sendiri.")

    def validate_active(self, field):
        if self._is_self() and not field.data:
            raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")

    def validate_kelurahan_ids(self, field):
        if self.role.data == "fasilitator" and not field.data:
            raise ValidationError("Pilih minimal satu kelurahan untuk fasilitator.")

    def validate_ksm_id(self, field):
        if self.role.data == "bendahara" and not field.data:
            raise ValidationError("Pilih KSM untuk bendahara.")

    def validate_kota_id(self, field):
        if self.role.data == "supervisor" and not field.data:
            raise ValidationError("Pilih kota untuk supervisor.")

    def apply(self, user):
        """Copy the entries; keep only the scope that belongs to the role; set a new password if given."""
        role = self.role.data
        user.username = self.username.data
        user.full_name = self.full_name.data
        user.role = role
        user.active = self.active.data
        wanted = self.kelurahan_ids.data if role == "fasilitator" else []
        user.kelurahan = db.session.scalars(db.select(Kelurahan).where(Kelurahan.id.in_(wanted))).all()
        user.ksm_id = self.ksm_id.data if role == "bendahara" else None
        user.kota_id = self.kota_id.data if role == "supervisor" else None
        if self.password.data:
            user.set_password(self.password.data)


class ProgrammeYearForm(OrgForm):
    year = WholeNumberField(
        "Tahun",
        validators=[
            InputRequired("Isi tahun."),
            NumberRange(2000, 2100, "Tahun harus antara 2000 dan 2100."),
            Unique(
                ProgrammeYear.year,
                "Rencana program ini untuk tahun tersebut sudah ada.",
                within=["programme"],
            ),
        ],
    )
    programme = SelectField("Program", choices=options((p, p) for p in PROGRAMMES))
    tranche_percentages = PercentListField("Persen tiap tahap BPM (misalnya 70, 30)", default=[70, 30])
    wage_share_target = WholeNumberField(
        "Target porsi upah (%)",
        default=70,
        validators=[
            InputRequired("Isi target porsi upah."),
            NumberRange(1, 100, "Harus antara 1 dan 100 %%."),
        ],
    )

    def validate_tranche_percentages(self, field):
        if field.data is None:
            raise ValidationError("Isi persen dengan angka, dipisah koma, misalnya 70, 30.")
        if not field.data:
            raise ValidationError("Isi minimal satu tahap, misalnya 100.")
        if any(not 1 <= p <= 100 for p in field.data):
            raise ValidationError("Persen tiap tahap harus antara 1 dan 100.")
        if sum(field.data) != 100:
            raise ValidationError(f"Jumlah persen semua tahap harus 100 (sekarang {sum(field.data)}).")
