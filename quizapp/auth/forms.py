"""Forms for joining, registering and logging in."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quizapp.models import USERNAME_MAX

PASSWORD_MIN = 8
PASSWORD_MAX = 256


class JoinForm(FlaskForm):
    nickname = StringField(
        _l("Nickname"),
        validators=[DataRequired(_l("Pick a nickname.")), Length(max=4 * USERNAME_MAX)],
        description=_l("3 to 32 letters, digits, _ or -. You can set a password later to keep it."),
    )


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(_l("Enter your username.")), Length(max=4 * USERNAME_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)])


class PasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=_l("Use at least 8 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords differ."))],
    )


class RegisterForm(PasswordMixin, FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Choose a username.")), Length(max=4 * USERNAME_MAX)],
        description=_l("3 to 32 letters, digits, _ or -."),
    )


class SetPasswordForm(PasswordMixin, FlaskForm):
    pass


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for POST-only buttons."""
