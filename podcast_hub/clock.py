"""The one clock: every part of the app that needs the current time asks `now()`.

Reading the time in one place lets a test move the whole app's time at once
(patch `podcast_hub.clock.now`): what is published, edit windows, moderation
and purging, and the times rows are stamped with.
"""

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)
