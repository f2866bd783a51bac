"""Our exceptions, and how they become HTML pages or JSON errors."""

import math
import time

import sqlalchemy as sa
from flask import current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class ValidationFailed(Exception):
    """Input broke a rule; `fields` maps each field to its messages."""

    status = 400

    def __init__(self, fields, message="Some fields need another look."):
        super().__init__(message)
        self.message = message
        self.fields = fields


class MediaUnavailable(ValidationFailed):
    """The media store did not answer: the upload was refused, nothing stored."""

    status = 503


class NotFound(LookupError):
    """What the input names does not exist (an episode, a parent comment)."""

    status = 404

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def fields(self):
        """Return the message under the field that named what is missing, if any."""
        return {self.field: [self.message]} if self.field else {}


class NotAllowed(PermissionError):
    """The rules refuse this person this action; `message` says why, for people."""

    status = 403
    fields: dict[str, list[str]] = {}

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# The database did not answer (down, restarting, out of connections, locked,
# disk full): the request did nothing, and can be sent again.
DATABASE_AWAY_ERRORS = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
)
DATABASE_AWAY = "The database is not answering just now; try again in a moment."
COMMENT_NOT_POSTED = (
    "Your comment was NOT posted: the database is not answering just now. "
    "Try again in a moment."
)


# The key in `app.extensions` of the function that gives error pages the show
# (`web.errorpage`): called with False while the database is away.
SHOW_FINDER = "podcast_hub.error_page_show"


def error_page(code, message):
    """Return the error page of `code` saying `message`, in the show's look.

    While the database is away (503) the show is the last one seen, if any.
    """
    finder = current_app.extensions.get(SHOW_FINDER)
    show = finder(code != 503) if finder is not None else None
    return render_template("errors/error.html", code=code, message=message, show=show)


def _wait_words(wait_s):
    if wait_s < 60:
        return f"{wait_s} second{'s' if wait_s != 1 else ''}"
    minutes = math.ceil(wait_s / 60)
    if minutes == 1:
        return "a minute"
    if minutes <= 90:
        return f"{minutes} minutes"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def too_fast():
    """Return (message, seconds to wait) for a request over its rate limit,
    said for people: never the limiter's own words ("10 per 1 minute")."""
    from .extensions import limiter

    breached = limiter.current_limit
    wait_s = max(1, math.ceil(breached.reset_at - time.time())) if breached else 60
    message = (
        "You're posting faster than this show allows: "
        f"wait {_wait_words(wait_s)} and post again."
    )
    return message, wait_s


def wants_json():
    """Tell whether to answer this request in JSON: it is for the JSON API, or
    its client (the dashboard's script) prefers JSON."""
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
    )


def json_error(status, message, fields=None):
    """Return the API's error shape: `{"error": ..., "fields": {...}}`."""
    response = jsonify({"error": message, "fields": fields or {}})
    response.status_code = status
    return response


def init_app(app):
    """Register the handlers that turn errors into pages or JSON."""

    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)
    for error in (ValidationFailed, NotFound, NotAllowed):
        app.register_error_handler(error, domain_error)
    for away in DATABASE_AWAY_ERRORS:
        app.register_error_handler(away, database_away)
    app.register_error_handler(sa.exc.DBAPIError, database_error)


def csrf_error(error):
    """Return 400 (a page) or 403 (JSON) for a form whose CSRF token failed."""
    message = (
        "The form expired or did not come from this site; "
        "reload the page and try again."
    )
    if wants_json():
        return json_error(403, f"CSRF check failed: {error.description}")
    return error_page(400, message), 400


def is_database_away(error):
    """Tell whether `error` says the database did not answer (rather than a bug):
    an outage, a restart, no free connection, a lock, a full disk, or a
    connection the server closed."""
    if isinstance(error, DATABASE_AWAY_ERRORS):
        return True
    return isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated


def database_error(error):
    """Answer a database disconnect like an outage; let any other database
    error be the bug it is (500)."""
    if is_database_away(error):
        return database_away(error)
    raise error


def database_away(error, message=DATABASE_AWAY, page=None):
    """Return 503 with `Retry-After` while the database does not answer: JSON
    `{"error", "fields"}`, or the page `page()` renders, or the plain error page.

    Nothing of the request was stored: its transaction is rolled back. Pages
    are rendered as for a visitor, since who is logged in cannot be read.
    """
    from .extensions import db, login_manager

    current_app.logger.warning("database unavailable: %s", error)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        pass
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()
    retry = {"Retry-After": str(current_app.config["DB_RETRY_AFTER_S"])}
    if wants_json():
        response = json_error(503, message)
        response.headers.update(retry)
        return response
    if page is None:
        return error_page(503, message), 503, retry
    return page(), 503, retry


def domain_error(error):
    """Return JSON `{"error", "fields"}`, or the plain error page, for one of our
    exceptions a view did not handle: 400, 404 or 403 (`error.status`).

    Views that show a form again with its field errors catch ValidationFailed
    themselves; everything else (the API above all) lets it come here.
    """
    if wants_json():
        return json_error(error.status, error.message, error.fields)
    return error_page(error.status, error.message), error.status


def http_error(error):
    """Return the plain error page, or JSON, for an HTTP error.

    The page shows only the error: handlers of a blueprint that render richer
    pages call this for anyone who may not see them.
    """
    # Keep what the error says about itself (Allow, Retry-After, Content-Range).
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if request_ctx.url_adapter is None:
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, nor echoed.
        return json_error(400, "This site does not answer to that host name.")
    description = error.description
    if error.code == 429:
        description, wait_s = too_fast()
        headers = [(k, v) for k, v in headers if k.lower() != "retry-after"]
        headers.append(("Retry-After", str(wait_s)))
    if wants_json():
        response = json_error(error.code, description)
        response.headers.extend(headers)
        return response
    return error_page(error.code, description), error.code, headers
