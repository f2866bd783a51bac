"""Moments of the audio: whole seconds to and from "12:34" and "1:02:03"."""

import re

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
# A moment written in running text ("at 12:34", "1:02:03"): not part of a longer
# number, a word or a clock with more fields; read it with `parse`.
IN_TEXT = re.compile(r"(?<![\w:/.])(?:\d{1,2}:)?\d{1,2}:\d{2}(?![\w:]|\.\d)")


class TimecodeError(ValueError):
    """The text is not a moment we can read."""


def parse(text):
    """Return whole seconds for `754`, `12:34` or `1:02:03`; None for empty text.

    Raises TimecodeError for anything else, including minutes or seconds over 59
    after an hour or minute field.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise TimecodeError("Use a time like 12:34 or 1:02:03.")
    if isinstance(text, int):
        if text < 0:
            raise TimecodeError("A moment cannot be negative.")
        return text
    text = str(text).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text.startswith("-"):
        raise TimecodeError("A moment cannot be negative.")
    match = _CLOCK.match(text)
    if not match:
        raise TimecodeError("Use a time like 12:34 or 1:02:03.")
    hours, minutes, seconds = match.groups()
    minutes, seconds = int(minutes), int(seconds)
    if seconds > 59 or (hours is not None and minutes > 59):
        raise TimecodeError("Minutes and seconds go up to 59, as in 1:02:03.")
    return int(hours or 0) * 3600 + minutes * 60 + seconds


def format(seconds):
    """Return `seconds` as `12:34`, or `1:02:03` from an hour on."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def itunes(seconds):
    """Return `seconds` as `HH:MM:SS`, the form podcast apps read best."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
