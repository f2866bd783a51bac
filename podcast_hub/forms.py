"""Forms shared by the HTML pages and the JSON API."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import TextInput

from . import timecode

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def clean_line(value):
    """Strip control characters and surrounding space from one line of text."""
    if not isinstance(value, str):
        return value
    return " ".join(_CONTROL.sub("", value).split())


def clean_text(value):
    """Normalise line endings, drop control characters, trim the ends."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


class TimecodeField(Field):
    """A moment of the audio typed as 754, 12:34 or 1:02:03; empty for none."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_text = ""

    def _value(self):
        if self.raw_data:
            return str(self.raw_data[0] if self.raw_data[0] is not None else "")
        return "" if self.data is None else timecode.format(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = timecode.parse(valuelist[0])
        except timecode.TimecodeError as error:
            self.data = None
            raise ValueError(str(error)) from None


class CommentForm(FlaskForm):
    """A listener's comment or reply; a host's reply leaves out `author`."""

    author = StringField(
        "Name",
        filters=[clean_line],
        validators=[
            DataRequired("Tell us your name."),
            Length(max=80, message="Keep your name under 80 characters."),
        ],
    )
    email = EmailField(
        "E-mail (optional, never shown)",
        filters=[clean_line],
        validators=[
            Optional(),
            Length(max=254, message="That e-mail address is too long."),
            Regexp(EMAIL_PATTERN, message="That does not look like an e-mail address."),
        ],
    )
    body = TextAreaField(
        "Comment",
        filters=[clean_text],
        validators=[
            DataRequired("Write something first."),
            Length(max=10_000, message="Keep it under 10,000 characters."),
        ],
    )
    timestamp = TimecodeField("At")
    parent_id = IntegerField(
        "In reply to",
        widget=HiddenField.widget,
        validators=[Optional()],
    )

    def validate_parent_id(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError("There is no such comment on this episode.")


class ReplyForm(FlaskForm):
    """The host's reply from the dashboard."""

    body = TextAreaField(
        "Your reply",
        filters=[clean_text],
        validators=[
            DataRequired("Write your reply first."),
            Length(max=10_000, message="Keep it under 10,000 characters."),
        ],
    )


class LoginForm(FlaskForm):
    """A host logging in."""

    email = StringField(
        "E-mail",
        filters=[clean_line],
        validators=[DataRequired("Give your e-mail address.")],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Give your password.")]
    )
    next = HiddenField()
