"""Forms shared by the HTML pages and the JSON API."""

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from ..catalog.publishing import Publication
from ..conversation.moderation import ACTIONS as MODERATION_ACTIONS
from ..errors import ValidationFailed
from ..models import MAX_ID, BlockKind, EpisodeType, ShowType
from ..text import categories, names, plain, rules, timecode

FormT = TypeVar("FormT", bound=FlaskForm)


def clean_line(value: object) -> object:
    """Drop control characters (`plain.xml_safe`) and collapse the spaces of a line."""
    if not isinstance(value, str):
        return value
    return " ".join(plain.xml_safe(value).split())


def clean_text(value: object) -> object:
    """Normalise line endings, drop control characters, trim the ends."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return plain.xml_safe(value).strip()


def clean_name(value: object) -> object:
    """Normalise a listener's name as `names.normal` does: NFKC, no format marks."""
    if not isinstance(value, str):
        return value
    return names.normal(value)


def is_id(number: int) -> bool:
    """Tell whether `number` can be a row's id: from 1 to `MAX_ID`."""
    return 0 < number <= MAX_ID


class EmailAddress:
    """Check a field by the e-mail address rule (`rules.email_problem`)."""

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and (problem := rules.email_problem(field.data)):
            raise ValidationError(problem)


def validated(form: FormT, message: str | None = None) -> FormT:
    """Return `form` if its input passes its rules; else raise ValidationFailed
    with its field messages (and `message`, if given)."""
    if not form.validate():
        if message is None:
            raise ValidationFailed(form.errors)
        raise ValidationFailed(form.errors, message=message)
    return form


def form_errors(
    form: FlaskForm, fields: Mapping[str, Sequence[str]], fallback: str | None = None
) -> None:
    """Put a domain error's field messages onto `form`, each message once.

    A message for a field the form does not have goes onto the `fallback` field,
    or without one into `form.form_errors`, which the form's summary shows.
    """
    for name, messages in fields.items():
        target = name if name in form else fallback
        if target is None:
            form.form_errors = [*form.form_errors, *messages]
            continue
        field = form[target]
        field.errors = [*field.errors, *(m for m in messages if m not in field.errors)]


class TimecodeField(Field):
    """A moment of the audio typed as 754, 12:34 or 1:02:03; empty for none."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0] if self.raw_data[0] is not None else "")
        return "" if self.data is None else timecode.format(self.data)

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = timecode.parse(valuelist[0])
        except timecode.TimecodeError as error:
            self.data = None
            raise ValueError(str(error)) from None


class MomentRequired:
    """Require a moment of the audio; 0:00 is one (DataRequired would refuse it).

    A moment that could not be read keeps its own message, alone.
    """

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.errors:
            raise StopValidation()
        if field.data is None:
            raise StopValidation(self.message)


def new_posting_key() -> str:
    """Return a fresh key for one composed comment (`conversation.repeats`)."""
    return secrets.token_urlsafe(18)


POSTING_KEY = r"^[A-Za-z0-9_-]{16,128}$"
POSTING_KEY_DAMAGED = "This form is damaged; reload the page and post again."
# The longest listener's name and comment the comment form takes.
NAME_MAX = 80
BODY_MAX = 10_000


class CommentForm(FlaskForm):
    """A listener's comment or reply; a host's reply leaves out `author`.

    `idempotency_key` is made with the form and sent back with it (the API
    takes it from the `Idempotency-Key` header): the same post sent twice is
    stored once.

    Its CSRF token is checked by `CSRFProtect` before the view, as for every
    post; the form itself neither checks it again nor makes a new one for a
    comment that is posted (the page writes `csrf_input()`).
    """

    class Meta:
        csrf = False

    author = StringField(
        "Name",
        filters=[clean_name],
        validators=[
            DataRequired("Tell us your name."),
            Length(max=NAME_MAX, message="Keep your name under 80 characters."),
        ],
    )
    email = EmailField(
        "E-mail (optional, never shown)",
        filters=[clean_line],
        validators=[
            Optional(),
            EmailAddress(),
        ],
    )
    notify = BooleanField("Mail me when someone replies")
    body = TextAreaField(
        "Comment",
        filters=[clean_text],
        validators=[
            DataRequired("Write something first."),
            Length(max=BODY_MAX, message="Keep it under 10,000 characters."),
        ],
    )
    timestamp = TimecodeField("At")
    parent_id = IntegerField(
        "In reply to",
        widget=HiddenField.widget,
        validators=[Optional()],
    )

    idempotency_key = HiddenField(
        default=new_posting_key,
        validators=[
            Optional(),
            Regexp(POSTING_KEY, message=POSTING_KEY_DAMAGED),
        ],
    )

    def validate_parent_id(self, field: Field) -> None:
        if field.data is not None and not is_id(field.data):
            raise ValidationError("There is no such comment on this episode.")

    def validate_notify(self, field: Field) -> None:
        if field.data and "email" in self and not self.email.data:
            raise ValidationError(rules.NOTIFY_NEEDS_EMAIL)

    def renew_key(self) -> None:
        """Give the form a fresh posting key, for a new comment."""
        self.idempotency_key.raw_data = None
        self.idempotency_key.data = new_posting_key()


@dataclass(frozen=True)
class CommentInput:
    """A comment as the comment form reads it: the words and fields a post
    stores. A host's has no name, address or mail request."""

    body: str
    timestamp_s: int | None
    parent_id: int | None
    idempotency_key: str | None
    author: str | None = None
    email: str | None = None
    notify: bool = False

    @classmethod
    def of(cls, form: CommentForm) -> "CommentInput":
        """Return what `form`, validated, holds."""
        listener = "author" in form
        return cls(
            body=form.body.data,
            timestamp_s=form.timestamp.data,
            parent_id=form.parent_id.data,
            idempotency_key=form.idempotency_key.data,
            author=form.author.data if listener else None,
            email=form.email.data if listener else None,
            notify=bool(form.notify.data) if listener else False,
        )


def plain_comment(
    formdata: MultiDict[str, str], *, listener: bool
) -> CommentInput | None:
    """Return the comment in `formdata` when it plainly passes CommentForm's
    rules, read as the form reads it (the same filters, the first of repeated
    fields); None for anything else, which the form itself then reads and
    explains.

    Building the form costs a post more than everything else it does to read
    the fields, and nearly every post is plainly fine. `listener`: the form
    has the name, address and mail request (a host's has not).
    """

    def first(name: str) -> str | None:
        values = formdata.getlist(name)
        return values[0] if values else None

    raw_body, key = first("body"), first("idempotency_key")
    # Without a key the form makes a fresh one, as for a new page.
    if raw_body is None or key is None:
        return None
    if key and not re.match(POSTING_KEY, key):
        return None
    body = clean_text(raw_body)
    if not isinstance(body, str) or not body or len(body) > BODY_MAX:
        return None
    raw_moment = first("timestamp")
    try:
        moment = None if raw_moment is None else timecode.parse(raw_moment)
    except timecode.TimecodeError:
        return None
    raw_parent = first("parent_id")
    parent_id = None
    if raw_parent:
        try:
            parent_id = int(raw_parent)
        except ValueError:
            return None
        if not is_id(parent_id):
            return None
    if not listener:
        return CommentInput(body, moment, parent_id, key)
    raw_author, raw_email, raw_notify = first("author"), first("email"), first("notify")
    author = None if raw_author is None else clean_name(raw_author)
    if not isinstance(author, str) or not author.strip() or len(author) > NAME_MAX:
        return None
    email = None if raw_email is None else clean_line(raw_email)
    if not isinstance(email, str | None) or (email and rules.email_problem(email)):
        return None
    notify = raw_notify not in (None, "false", "")
    if notify and not email:
        return None
    return CommentInput(body, moment, parent_id, key, author, email, notify)


class EditCommentForm(FlaskForm):
    """A listener changing their own comment: the same rules as posting it."""

    body = CommentForm.body
    timestamp = CommentForm.timestamp


class ReplyForm(FlaskForm):
    """The host's reply from the dashboard."""

    body = TextAreaField(
        "Your reply",
        filters=[clean_text],
        validators=[
            DataRequired("Write your reply first."),
            Length(max=BODY_MAX, message="Keep it under 10,000 characters."),
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


def utc(moment: datetime | None) -> datetime | None:
    """Read a naive `datetime-local` value as UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


class OffsetField(Field):
    """A shift of the audio's moments: 20, +0:20 or -1:05; never empty."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        sign = "-" if self.data < 0 else "+"
        return sign + timecode.format(abs(self.data))

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        sign = -1 if text.startswith("-") else 1
        try:
            seconds = timecode.parse(text.lstrip("+-").strip())
        except timecode.TimecodeError as error:
            self.data = None
            raise ValueError(str(error)) from None
        if seconds is None:
            self.data = None
            raise ValueError("Give the offset, as in +0:20 or -0:05.")
        self.data = sign * seconds


class NextForm(FlaskForm):
    """A button that changes one thing, then returns to `next`."""

    next = HiddenField()


class InboxReplyForm(ReplyForm):
    """The host's reply from the inbox, returning to the same tab and page."""

    next = HiddenField()


class ModerationForm(NextForm):
    """One moderation action on one comment."""

    action = SelectField(
        "Action",
        choices=[SelectChoice(action) for action in MODERATION_ACTIONS],
        validate_choice=True,
    )


BULK_ACTIONS = {
    "no-reply-needed": "No reply needed",
    "approve": "Approve",
    "hide": "Hide",
    "spam": "Mark as spam",
    "delete": "Delete",
    "restore": "Restore",
    "pin": "Pin",
    "unpin": "Unpin",
}


class UndoForm(NextForm):
    """Take back the inbox action the dashboard remembers under `key`."""

    key = HiddenField(validators=[DataRequired(message="Nothing to undo.")])


class BulkForm(NextForm):
    """One action on the comments ticked in the inbox."""

    action = SelectField(
        "With the selected comments",
        choices=[SelectChoice(v, label) for v, label in BULK_ACTIONS.items()],
    )
    ids = SelectMultipleField("Selected", coerce=int, validate_choice=False)

    def validate_ids(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Tick at least one comment first.")
        if not all(is_id(number) for number in field.data):
            raise ValidationError("Some of those comments do not exist.")


class UploadEpisodeForm(FlaskForm):
    """A new episode from an audio file."""

    audio = FileField("Audio file")
    title = StringField(
        "Title (optional: else from the file's tags or name)",
        filters=[clean_line],
        validators=[
            Optional(),
            Length(max=255, message="Keep it under 255 characters."),
        ],
    )


class ReplaceAudioForm(FlaskForm):
    """New audio for an episode that keeps its guid."""

    audio = FileField("New audio file")


PUBLICATION_CHOICES = [
    SelectChoice(Publication.DRAFT, "Draft: not in the feed or on the site"),
    SelectChoice(
        Publication.NOW, "Published now (an episode already out keeps its date)"
    ),
    SelectChoice(
        Publication.AT, "Published at a date and time (UTC); a future one schedules it"
    ),
]


class EpisodeForm(FlaskForm):
    """The host's edits to an episode."""

    title = StringField(
        "Title",
        filters=[clean_line],
        validators=[
            DataRequired("Give the episode a title."),
            Length(max=255, message="Keep it under 255 characters."),
        ],
    )
    slug = StringField(
        "Slug (the end of the page address)",
        filters=[clean_line],
        validators=[DataRequired("Give the episode a slug.")],
    )
    description = TextAreaField(
        "Show notes (Markdown)",
        filters=[clean_text],
        validators=[Length(max=100_000, message="Keep it under 100,000 characters.")],
    )
    season = IntegerField(
        "Season",
        validators=[
            Optional(),
            NumberRange(min=1, max=99_999, message="From 1 to 99,999, or empty."),
        ],
    )
    number = IntegerField(
        "Episode number",
        validators=[
            Optional(),
            NumberRange(min=1, max=99_999, message="From 1 to 99,999, or empty."),
        ],
    )
    episode_type = SelectField(
        "Type",
        choices=[
            SelectChoice(EpisodeType.FULL, "Full"),
            SelectChoice(EpisodeType.TRAILER, "Trailer"),
            SelectChoice(EpisodeType.BONUS, "Bonus"),
        ],
    )
    explicit = BooleanField("Explicit content")
    author = StringField(
        "Author (itunes:author; empty: the show's author)",
        filters=[clean_line],
        validators=[Length(max=255, message="Keep it under 255 characters.")],
    )
    publication = RadioField("Publication", choices=PUBLICATION_CHOICES)
    publish_at = DateTimeLocalField(
        "Publish at (UTC)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        filters=[utc],
        validators=[Optional()],
    )


class ShiftForm(FlaskForm):
    """Move every comment's moment after a re-cut."""

    offset = OffsetField("Shift every moment by")


class ChapterForm(FlaskForm):
    """A host chapter, often made from a hot moment."""

    start = TimecodeField("Starts at", validators=[MomentRequired("Give the start.")])
    title = StringField(
        "Chapter title",
        filters=[clean_line],
        validators=[DataRequired("Give the chapter a title."), Length(max=255)],
    )
    url = StringField("Link (optional)", filters=[clean_line])


class SoundbiteForm(FlaskForm):
    """A `podcast:soundbite`: a moment of 15 to 120 seconds podcast apps promote."""

    start = TimecodeField("Starts at", validators=[MomentRequired("Give the start.")])
    duration = IntegerField(
        "Seconds",
        default=30,
        validators=[
            DataRequired("Give the length in seconds."),
            NumberRange(min=15, max=120, message="15 to 120 seconds."),
        ],
    )
    title = StringField(
        "Soundbite title",
        filters=[clean_line],
        validators=[DataRequired("Give the soundbite a title."), Length(max=128)],
    )


class ShowForm(FlaskForm):
    """The show's feed settings and cover art."""

    title = StringField("Title", filters=[clean_line])
    description = TextAreaField("Description", filters=[clean_text])
    author = StringField("Author (itunes:author)", filters=[clean_line])
    owner_name = StringField("Owner's name", filters=[clean_line])
    owner_email = EmailField(
        "Owner's e-mail (in the feed, for Apple)", filters=[clean_line]
    )
    language = StringField("Language code", filters=[clean_line])
    # Apple's list (`category_choices`); the domain checks the value.
    category = SelectField(
        "Apple category", filters=[clean_line], choices=[], validate_choice=False
    )
    explicit = BooleanField("Explicit content")
    show_type = SelectField(
        "Show type",
        choices=[
            SelectChoice(ShowType.EPISODIC, "Episodic: newest first"),
            SelectChoice(ShowType.SERIAL, "Serial: listen in order"),
        ],
    )
    funding_url = StringField("Funding link", filters=[clean_line])
    funding_text = StringField("Funding link text", filters=[clean_line])
    new_feed_url = StringField(
        "New feed address (only when moving the show)", filters=[clean_line]
    )
    locked = BooleanField("Locked: other platforms may not import this feed")
    podcast_guid = StringField("Show guid (podcast:guid)", filters=[clean_line])
    change_guid = BooleanField(
        "Change the guid: this show moves here and keeps the guid it had"
    )
    block = BooleanField(
        "Hidden from directories (itunes:block, podcast:block): apps that have "
        "the feed keep it"
    )
    complete = BooleanField("Complete: no new episodes will come (itunes:complete)")
    medium = SelectField(
        "Medium (podcast:medium)",
        choices=[SelectChoice(medium) for medium in rules.MEDIUMS],
        default="podcast",
    )
    copyright = StringField("Copyright", filters=[clean_line])
    license = StringField("Licence (podcast:license)", filters=[clean_line])
    license_url = StringField("Licence address", filters=[clean_line])
    update_frequency = StringField(
        "How often new episodes come, in words", filters=[clean_line]
    )
    update_rrule = StringField(
        "…and as a rule for apps (podcast:updateFrequency)", filters=[clean_line]
    )
    txt = TextAreaField("Verification texts (podcast:txt)", filters=[clean_text])
    apple_podcasts_id = StringField(
        "Apple Podcasts id or address", filters=[clean_line]
    )
    spotify_url = StringField("Spotify address", filters=[clean_line])
    accent_color = StringField("Accent colour", filters=[clean_line])

    def process(self, formdata=None, obj=None, data=None, **kwargs):  # type: ignore[no-untyped-def]
        """Show the stored podcast:txt records as lines, `purpose: text`."""
        super().process(formdata, obj, data, **kwargs)
        self.category.choices = category_choices(self.category.data)
        if formdata is None and obj is not None and obj.txt:
            self.txt.data = "\n".join(
                f"{r['purpose']}: {r['text']}" if r.get("purpose") else r["text"]
                for r in obj.txt
            )


def person_roles() -> dict[str, list[SelectChoice]]:
    """Return the Podcast Taxonomy's roles by group, values `group|role`."""
    return {
        group.title(): [SelectChoice(f"{group}|{role}", role.title()) for role in roles]
        for group, roles in rules.PERSON_ROLES.items()
    }


class PersonForm(FlaskForm):
    """Someone credited on the show or an episode (podcast:person)."""

    name = StringField(
        "Name",
        filters=[clean_line],
        validators=[DataRequired("Give the person's name."), Length(max=128)],
    )
    role = SelectField("Role", choices=person_roles, default="cast|host")
    img = StringField("Picture (https://…, optional)", filters=[clean_line])
    href = StringField("Web page (https://…, optional)", filters=[clean_line])

    @property
    def group_and_role(self) -> tuple[str, str]:
        """Return the chosen (group, role)."""
        group, _, role = (self.role.data or "").partition("|")
        return group, role


class CoverForm(FlaskForm):
    """The show's cover art."""

    cover = FileField("New cover art (JPEG or PNG)")


class EpisodeArtForm(FlaskForm):
    """An episode's own art, in place of the show's cover."""

    art = FileField("New episode art (JPEG or PNG)")


class TranscriptForm(FlaskForm):
    """A transcript or captions file for an episode."""

    transcript = FileField("Transcript file (WebVTT .vtt or SubRip .srt)")
    language = StringField("Language code (optional)", filters=[clean_line])


class ChaptersFileForm(FlaskForm):
    """A Podcasting 2.0 JSON chapters file for an episode."""

    chapters_file = FileField("JSON chapters file")


class ModerationModeForm(FlaskForm):
    """How new listener comments are held."""

    mode = RadioField("New comments")


class BlockForm(FlaskForm):
    """E-mail addresses or words whose new comments go to spam."""

    kind = SelectField(
        "Block",
        choices=[
            SelectChoice(BlockKind.EMAIL, "E-mail addresses"),
            SelectChoice(BlockKind.WORD, "Words"),
        ],
    )
    values = TextAreaField(
        "One per line (an address, an @domain or a word)",
        filters=[clean_text],
        validators=[DataRequired("Give at least one value to block.")],
    )


class PasswordForm(FlaskForm):
    """A host changing their password."""

    current_password = PasswordField(
        "Current password", validators=[DataRequired("Give your current password.")]
    )
    new_password = PasswordField(
        "New password", validators=[DataRequired("Choose a new password.")]
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("new_password", message="The two new passwords differ.")],
    )


class HostMailForm(FlaskForm):
    """What mail a host gets about new comments (choices set by the view)."""

    notify = RadioField("Mail about new comments")


class SeenRepliesForm(NextForm):
    """The listener puts replies to them away: the banner stops naming them."""

    ids = SelectMultipleField("Replies", coerce=int, validate_choice=False)

    def validate_ids(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose the replies you have seen.")
        if not all(is_id(number) for number in field.data):
            raise ValidationError("Some of those replies do not exist.")


REPLIES_FEED_ACTIONS = {
    "renew": "Make a new address",
    "stop": "Stop the feed",
}


class RepliesFeedForm(FlaskForm):
    """The listener's private feed of replies: a new address, or none."""

    action = SelectField(
        "Action",
        choices=[SelectChoice(v, label) for v, label in REPLIES_FEED_ACTIONS.items()],
    )


INBOX_FEED_ACTIONS = {
    "renew": "Make a new address",
    "stop": "Turn the feed off",
}


class InboxFeedForm(FlaskForm):
    """The host's private inbox feed: a new address, or none."""

    action = SelectField(
        "Action",
        choices=[SelectChoice(v, label) for v, label in INBOX_FEED_ACTIONS.items()],
    )


# --- team ---

ROLE_CHOICES = [
    SelectChoice("owner", "Owner"),
    SelectChoice("cohost", "Co-host"),
    SelectChoice("moderator", "Moderator"),
]


class InviteForm(FlaskForm):
    """An owner inviting someone to the team by e-mail."""

    email = EmailField(
        "E-mail address",
        filters=[clean_line],
        validators=[DataRequired("Give the e-mail address to invite.")],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default="cohost")


class RoleForm(FlaskForm):
    """An owner changing a host's role."""

    role = SelectField("Role", choices=ROLE_CHOICES)


class JoinForm(FlaskForm):
    """Someone invited to the team choosing their name and password."""

    name = StringField(
        "Display name",
        filters=[clean_line],
        validators=[DataRequired("Give the name your replies are signed with.")],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Choose a password.")]
    )
    confirm = PasswordField(
        "Password again",
        validators=[EqualTo("password", message="The two passwords differ.")],
    )


KEPT_CATEGORY = "Kept until you choose one of Apple's"


def category_choices(current: str | None) -> dict[str, list[tuple[str, str]]]:
    """Return Apple's categories as option groups, a parent first ("Arts
    (all of it)") and its subcategories; a `current` value that is not one of
    them comes first, in a group of its own, so that saving keeps it."""
    groups: dict[str, list[tuple[str, str]]] = {}
    if not current:
        groups["No category yet"] = [("", "Choose a category")]
    elif not categories.is_apple(current):
        groups[KEPT_CATEGORY] = [(current, f"{current} (not an Apple category)")]
    for parent, children in categories.APPLE_CATEGORIES.items():
        groups[parent] = [(parent, f"{parent} (all of it)" if children else parent)]
        groups[parent] += [(f"{parent} > {child}", child) for child in children]
    return groups
