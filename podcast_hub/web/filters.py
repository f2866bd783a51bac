"""Template filters and globals: times, moments and small formatting."""

from datetime import UTC, datetime

from flask import Flask
from flask_wtf.csrf import generate_csrf

from ..conversation import order
from ..text import markdown, plain, timecode


def timecode_filter(seconds: int | None) -> str:
    """Format whole seconds as 12:34 or 1:02:03."""
    return "" if seconds is None else timecode.format(seconds)


def duration_words_filter(seconds: float) -> str:
    """Format a wait in whole seconds for people: 45 s, 12 min, 3 h 05 min, 2 days."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        hours, rest = divmod(seconds, 3600)
        return f"{hours} h {rest // 60:02d} min"
    return f"{seconds // 86400} days"


def date_filter(moment: datetime) -> str:
    """Format an aware datetime as a date for people."""
    return moment.astimezone(UTC).strftime("%-d %B %Y")


def datetime_filter(moment: datetime) -> str:
    """Format an aware datetime in UTC for people."""
    return moment.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def iso_filter(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plural_filter(count: int, singular: str, plural: str | None = None) -> str:
    """Return `count` and the noun that goes with it: 1 reply, 1,204 replies."""
    noun = singular if count == 1 else plural or singular + "s"
    return f"{count:,} {noun}"


def init_app(app: Flask) -> None:
    """Register the filters and the CSRF token global."""
    app.add_template_filter(timecode_filter, "timecode")
    app.add_template_filter(date_filter, "date")
    app.add_template_filter(datetime_filter, "datetime")
    app.add_template_filter(iso_filter, "iso")
    app.add_template_filter(plain.paragraphs, "paragraphs")
    app.add_template_filter(plain.linkify, "linkify")
    app.add_template_filter(markdown.render, "notes_html")
    app.add_template_filter(markdown.as_text, "notes_text")
    app.add_template_filter(duration_words_filter, "duration_words")
    app.add_template_filter(plural_filter, "plural")
    app.add_template_filter(order.page_keys, "thread_order")
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
