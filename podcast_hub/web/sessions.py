"""Cookie sessions, and views that promise never to read them.

Flask adds `Vary: Cookie` to every response whose request touched the session,
and Flask-Login touches it after every request. Feeds and media are the same
for everyone and should be kept by shared caches and CDNs, so their views are
marked `sessionless`: unless the session was changed (an error page made a
CSRF token), their responses neither vary on the cookie nor set it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    """Use cookie sessions that leave sessionless views' responses alone."""
    app.session_interface = CookieSessions()


def sessionless(view: ViewT) -> ViewT:
    """Mark `view` as one whose responses never depend on the session."""
    view.sessionless = True  # type: ignore[attr-defined]
    return view


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, skipped for sessionless views."""

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "sessionless", False) and not session.modified:
            return
        super().save_session(app, session, response)
