"""Field rules: one verdict on an e-mail address, a web link, a language code and a
slug, whichever door the value comes through (forms, sidecars, the dashboard's
settings, host accounts, links in comments)."""

import json

import pytest
from werkzeug.datastructures import MultiDict

from podcast_hub.auth import hosts
from podcast_hub.catalog import publishing
from podcast_hub.errors import ValidationFailed
from podcast_hub.library import sidecar
from podcast_hub.models import Chapter
from podcast_hub.text import plain, rules
from podcast_hub.web.forms import CommentForm

from .helpers import make_episode, make_show

EMAILS = [
    ("ana@example.com", True),
    ("a.b+c@mail.example.org", True),
    ("zoë@bücher.de", True),
    ("ana", False),
    ("ana@example", False),
    ("ana @example.com", False),
    ("@example.com", False),
    ("ana@@example.com", False),
    ("ana@example.", False),
]
LANGUAGES = [
    ("en", True),
    ("pt-BR", True),
    ("de-AT", True),
    ("zh-Hant-TW", True),
    ("e", False),
    ("english", False),
    ("en_US", False),
    ("en-", False),
    ("", False),
]
SLUGS = [
    ("my-episode-1", True),
    ("42", True),
    ("My-Episode", False),
    ("my--episode", False),
    ("-episode", False),
    ("episode-", False),
    ("my episode", False),
    ("épisode", False),
]
URLS = [
    ("https://example.org/support", True),
    ("http://example.org", True),
    ("HTTPS://EXAMPLE.ORG/a?b#c", True),
    ("example.org/support", False),
    ("ftp://example.org", False),
    ("https://", False),
    ("javascript:alert(1)", False),
    ("java\tscript:alert(1)", False),
    ("https://exa mple.org", False),
    ("https://exa\\mple.org", False),
    ("data:text/html,<b>x</b>", False),
]


@pytest.mark.parametrize(("value", "valid"), EMAILS)
def test_an_email_address_has_one_verdict_at_every_door(
    app, app_context, tmp_path, value, valid
):
    assert rules.is_email(value) is valid
    assert (rules.email_problem(value) is None) is valid
    with app.test_request_context():
        form = _comment_form(email=value)
        assert form.validate() is valid
    read = sidecar.read_show(_toml(tmp_path, owner_email=value), "show.toml", tmp_path)
    assert ("owner_email" in read.values) is valid
    assert _show_refuses(owner_email=value) is not valid
    assert _host_refuses(value) is not valid


def test_an_email_address_too_long_is_said_so_at_every_door(app, app_context):
    value = "a" * 250 + "@example.com"
    assert rules.is_email(value)
    assert rules.email_problem(value) == rules.EMAIL_TOO_LONG
    with app.test_request_context():
        form = _comment_form(email=value)
        assert not form.validate()
        assert form.email.errors == [rules.EMAIL_TOO_LONG]
    with pytest.raises(ValidationFailed) as failure:
        hosts.create_host(value, "Ana", "lighthouse moments")
    assert failure.value.fields["email"] == [rules.EMAIL_TOO_LONG]


@pytest.mark.parametrize(("value", "valid"), LANGUAGES)
def test_a_language_code_has_one_verdict_at_every_door(
    app_context, tmp_path, value, valid
):
    assert rules.is_language(value) is valid
    read = sidecar.read_show(_toml(tmp_path, language=value), "show.toml", tmp_path)
    assert ("language" in read.values) is valid
    assert _show_refuses(language=value) is not valid
    transcript = f"talk.{value}.vtt"
    found = sidecar.find("talk", {"talk.mp3", transcript}, {"talk"})
    assert [t.language for t in found.transcripts] == ([value] if valid else [])


@pytest.mark.parametrize(("value", "valid"), SLUGS)
def test_a_slug_has_one_verdict_at_every_door(app_context, tmp_path, value, valid):
    """The dashboard lower-cases what the host typed first; a sidecar does not."""
    assert rules.is_slug(value) is valid
    path = tmp_path / "talk.toml"
    path.write_text(f'slug = "{value}"\n', encoding="utf-8")
    assert ("slug" in sidecar.read_episode(path, "talk.toml").values) is valid
    make_show()
    episode = make_episode(slug="first")
    try:
        publishing.update_episode(
            episode,
            title="First",
            slug=value,
            description="",
            season=None,
            number=None,
            episode_type="full",
            explicit=False,
            publication="draft",
        )
    except ValidationFailed as failure:
        assert failure.fields == {"slug": [rules.NOT_A_SLUG]}
        assert not rules.is_slug(value.lower())
    else:
        assert rules.is_slug(value.lower()) and episode.slug == value.lower()


@pytest.mark.parametrize(("value", "valid"), URLS)
def test_a_web_link_has_one_verdict_at_every_door(app_context, tmp_path, value, valid):
    assert (rules.safe_url(value) is not None) is valid
    if not any(character.isspace() for character in value):
        linked = str(plain.linkify(f"See {value} now."))
        assert ('<a href="' in linked) is valid
    read = sidecar.read_show(_toml(tmp_path, funding_url=value), "show.toml", tmp_path)
    assert ("funding_url" in read.values) is valid
    assert _show_refuses(funding_url=value) is not valid
    chapters = tmp_path / "talk.chapters.json"
    entry = {"startTime": 0, "title": "Intro", "url": value}
    chapters.write_text(json.dumps({"chapters": [entry]}), encoding="utf-8")
    [chapter], _ = sidecar.read_chapters(chapters, "talk.chapters.json")
    assert (chapter.url is not None) is valid
    episode = make_episode(slug="chapters", duration_s=60)
    try:
        publishing.add_chapter(episode, start_s=0, title="Intro", url=value)
    except ValidationFailed as failure:
        assert failure.fields == {"url": [rules.url_problem(value, 1024)]}
        assert not valid
    else:
        assert valid


def test_a_web_link_longer_than_its_column_is_refused():
    longest = Chapter.url.type.length
    url = "https://example.org/" + "a" * (longest - len("https://example.org/"))
    assert rules.safe_url(url, longest) == url
    assert rules.url_problem(url, longest) is None
    assert rules.safe_url(url + "a", longest) is None
    assert rules.url_problem(url + "a", longest) == (
        "Give a web address starting with https:// or http://, "
        f"up to {longest} characters."
    )


def _comment_form(**values):
    data = MultiDict({"author": "Ana", "body": "Hi", **values})
    return CommentForm(data, meta={"csrf": False})


def _toml(folder, **values):
    """Write a show.toml with a title and `values`; return its path."""
    lines = ['title = "Moments"'] + [
        f"{key} = {json.dumps(value)}" for key, value in values.items()
    ]
    path = folder / "show.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _show_refuses(**changes):
    """Tell whether the show's settings refuse `changes`, naming those fields."""
    show = make_show()
    values = {
        "title": "Moments",
        "language": "en",
        "category": "Arts",
        "show_type": "episodic",
        **changes,
    }
    try:
        publishing.update_show(show, values)
    except ValidationFailed as failure:
        assert set(failure.fields) == set(changes)
        return True
    return False


def _host_refuses(email):
    """Tell whether creating a host refuses `email` (and only the e-mail)."""
    try:
        hosts.create_host(email, "Ana Lopez", "lighthouse moments at dusk")
    except ValidationFailed as failure:
        assert set(failure.fields) == {"email"}
        return True
    return False


MEDIUMS = [("podcast", True), ("audiobook", True), ("musicL", True)]
MEDIUMS += [("radio", False), ("Podcast", False), ("", False)]


@pytest.mark.parametrize(("value", "valid"), MEDIUMS)
def test_a_medium_has_one_verdict_at_every_door(app_context, tmp_path, value, valid):
    assert (rules.medium_problem(value) is None) is valid
    read = sidecar.read_show(_toml(tmp_path, medium=value), "show.toml", tmp_path)
    assert ("medium" in read.values) is valid
    if value:  # the dashboard's empty medium is the default, podcast
        assert _show_refuses(medium=value) is not valid


PEOPLE = [
    ("host", "cast", True),
    ("Co-Host", "Cast", True),
    ("editor", "writing", True),
    ("editor", "video post-production", True),
    ("guest", "writing", False),
    ("wizard", "cast", False),
    ("host", "hosts", False),
]


@pytest.mark.parametrize(("role", "group", "valid"), PEOPLE)
def test_a_persons_role_has_one_verdict_at_every_door(
    app_context, tmp_path, role, group, valid
):
    assert (rules.person_problems("Ana", role, group, None, None) == {}) is valid
    path = _toml(tmp_path)
    path.write_text(
        path.read_text()
        + f'person = [{{ name = "Ana", role = "{role}", group = "{group}" }}]\n',
        encoding="utf-8",
    )
    read = sidecar.read_show(path, "show.toml", tmp_path)
    assert ("people" in read.values) is valid
    show = make_show()
    try:
        publishing.add_person(show, name="Ana", role=role, group=group)
    except ValidationFailed as failure:
        assert set(failure.fields) <= {"role", "group"}
        refused = True
    else:
        refused = False
    assert refused is not valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("FREQ=WEEKLY", True),
        ("FREQ=MONTHLY;BYMONTHDAY=1", True),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", True),
        ("weekly", False),
        ("INTERVAL=2;FREQ=WEEKLY", False),
        ("FREQ=WEEKLY;", False),
    ],
)
def test_an_update_rule_has_one_verdict_at_every_door(
    app_context, tmp_path, value, valid
):
    read = sidecar.read_show(_toml(tmp_path, update_rrule=value), "show.toml", tmp_path)
    assert ("update_rrule" in read.values) is valid
    assert _show_refuses(update_rrule=value) is not valid
