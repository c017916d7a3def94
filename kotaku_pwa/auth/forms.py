from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[InputRequired("Isi nama pengguna."), Length(max=50)])
    password = PasswordField("Kata sandi", validators=[InputRequired("Isi kata sandi.")])


class PasswordForm(FlaskForm):
    current = PasswordField("Kata sandi sekarang", validators=[InputRequired("Isi kata sandi.")])
    new = PasswordField(
        "Kata sandi baru",
        validators=[
            InputRequired("Isi kata sandi baru."),
            Length(min=10, message="Kata sandi baru minimal 10 karakter."),
        ],
    )
    repeat = PasswordField(
        "Ulangi kata sandi baru",
        validators=[EqualTo("new", message="Kedua kata sandi baru tidak sama.")],
    )
