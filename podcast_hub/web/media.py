"""The app's media store (`catalog.storage`): made once from the configuration,
shared by every request of the process."""

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import ServiceUnavailable

from ..catalog import storage
from ..errors import http_error

# What a 503 tells players to wait while the store is away.
RETRY_AFTER_S = 15


def init_app(app: Flask) -> None:
    """Make the store that `MEDIA_S3_BUCKET` or `MEDIA_DIR` names."""
    app.extensions[storage.EXTENSION] = storage.from_config(app.config)
    app.register_error_handler(storage.Unavailable, store_away)


def store() -> storage.Store:
    """Return the media store of the current app."""
    found: storage.Store = current_app.extensions[storage.EXTENSION]
    return found


def store_away(error: storage.Unavailable) -> ResponseReturnValue:
    """Answer 503 with `Retry-After` (a page, or JSON) while the media store
    does not answer."""
    current_app.logger.warning("media store unavailable: %s", error)
    away = ServiceUnavailable(
        "The media store is not answering just now; try again in a moment.",
        retry_after=RETRY_AFTER_S,
    )
    answer: ResponseReturnValue = http_error(away)
    return answer
