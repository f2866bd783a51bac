"""Moments of the audio: whole seconds to and from "12:34" and "1:02:03"."""

import re
from typing import TypeGuard

# The longest moment we read: 1,000 hours, far past any episode.
MAX_SECONDS = 1000 * 3600
_SECONDS = re.compile(r"[0-9]{1,7}", re.ASCII)
_CLOCK = re.compile(r"(?:([0-9]{1,4}):)?([0-9]{1,2}):([0-9]{2})", re.ASCII)
# A moment written in running text ("at 12:34", "1:02:03"): not part of a longer
# number, a word or a clock with more fields; read it with `parse`.
IN_TEXT = re.compile(
    r"(?<![\w:/.])(?:[0-9]{1,2}:)?[0-9]{1,2}:[0-9]{2}(?![\w:]|\.[0-9])"
)


class TimecodeError(ValueError):
    """The text is not a moment we can read."""


def parse(text: str | int | None) -> int | None:
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
        return _bounded(text)
    text = str(text).strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        return _bounded(int(text))
    if text.isascii() and text.isdigit():
        raise TimecodeError("That moment is later than any episode runs.")
    if text.startswith("-"):
        raise TimecodeError("A moment cannot be negative.")
    match = _CLOCK.fullmatch(text)
    if not match:
        raise TimecodeError("Use a time like 12:34 or 1:02:03.")
    hours, minutes, seconds = match.groups()
    minutes, seconds = int(minutes), int(seconds)
    if seconds > 59 or (hours is not None and minutes > 59):
        raise TimecodeError("Minutes and seconds go up to 59, as in 1:02:03.")
    return _bounded(int(hours or 0) * 3600 + minutes * 60 + seconds)


def inside(seconds: int | None, duration_s: int) -> TypeGuard[int]:
    """Tell whether the moment `seconds` lies in audio of `duration_s` seconds:
    from 0:00 to its last second, both included."""
    return seconds is not None and 0 <= seconds <= duration_s


def within(written: str, duration_s: int | None) -> int | None:
    """Return the seconds of a moment `written` in text (`IN_TEXT`) when it lies
    within an episode of `duration_s` seconds; else None, as with no duration."""
    if duration_s is None:
        return None
    try:
        seconds = parse(written)
    except TimecodeError:
        return None
    return seconds if inside(seconds, duration_s) else None


def _bounded(seconds: int) -> int:
    if seconds > MAX_SECONDS:
        raise TimecodeError("That moment is later than any episode runs.")
    return seconds


def format(seconds: int) -> str:
    """Return `seconds` as `12:34`, or `1:02:03` from an hour on."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def itunes(seconds: int) -> str:
    """Return `seconds` as `HH:MM:SS`, the form podcast apps read best."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
