"""The DFAT server forms: the TIPP register (SK, members) and a kelurahan's problems and needs."""

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from .. import vocabulary as v
from ..org.forms import OrgForm, options

PICK = "— pilih —"


class TippRegisterForm(OrgForm):
    status = SelectField("TIPP", choices=options(v.TIPP_STATUSES.items()), default="formed")
    sk_number = StringField(
        "Nomor SK", validators=[Optional(), Length(max=100, message="Paling banyak 100 karakter.")]
    )
    sk_date = DateField("Tanggal SK", validators=[Optional()])


class TippMemberForm(OrgForm):
    name = StringField(
        "Nama anggota",
        validators=[
            InputRequired("Isi nama anggota."),
            Length(max=100, message="Paling banyak 100 karakter."),
        ],
    )
    gender = SelectField(
        "Jenis kelamin", choices=options(v.GENDERS.items(), PICK), validators=[InputRequired("Pilih L/P.")]
    )
    role = SelectField("Jabatan", choices=options(v.TIPP_ROLES.items()), default="anggota")
    unsur = SelectField("Unsur", choices=options(v.TIPP_UNSUR.items(), "— belum diisi —"))


def _text(label):
    return TextAreaField(
        label, validators=[Optional(), Length(max=2000, message="Paling banyak 2000 karakter.")]
    )


class AssessmentForm(OrgForm):
    """One text per KOTAKU slum indicator (`problem_<code>`), the needs, and the two statuses."""

    water_needs = _text("Kebutuhan air minum")
    sanitation_needs = _text("Kebutuhan sanitasi (air limbah, persampahan)")
    design_status = SelectField("Desain konsep", choices=options(v.PLAN_STATUSES.items()), default="belum")
    rplp_status = SelectField("RPLP / RP2KPKP", choices=options(v.PLAN_STATUSES.items()), default="belum")


for _code, _label in v.SLUM_INDICATORS.items():
    setattr(AssessmentForm, f"problem_{_code}", _text(_label))
