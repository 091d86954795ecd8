"""Forms of the staff sign-in and account pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
)

from petition.forms import Form
from petition.staff.auth import MIN_PASSWORD_LENGTH


class SignInForm(Form):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Please enter your email address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Please enter your password.")), Length(max=1000)],
    )


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        description=_l("The 6-digit code from your authenticator app, or a recovery code."),
        validators=[DataRequired(_l("Please enter the code.")), Length(max=20)],
    )


class PasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        description=lazy_ngettext(
            "At least %(num)d character. A long phrase is easy to remember.",
            "At least %(num)d characters. A long phrase is easy to remember.",
            MIN_PASSWORD_LENGTH,
        ),
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=lazy_ngettext(
                    "Please use at least %(num)d character.",
                    "Please use at least %(num)d characters.",
                    MIN_PASSWORD_LENGTH,
                ),
            ),
        ],
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[EqualTo("password", _l("The two passwords are not the same."))],
    )
