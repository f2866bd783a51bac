"""Cookie sessions, and views that promise never to read them.

Flask adds `Vary: Cookie` to every response whose request touched the session,
and Flask-Login touches it after every request. Feeds and media are the same
for everyone and should be kept by shared caches and CDNs, so their views are
marked `sessionless`: unless the session was changed (an error page made a
CSRF token), their responses neither vary on the cookie nor set it.
"""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

from .signing import KeptKeysTimestamps

ViewT = TypeVar("ViewT", bound=Callable[..., Any])


def init_app(app: Flask) -> None:
    """Use cookie sessions that leave sessionless views' responses alone."""
    app.session_interface = CookieSessions()


def sessionless(view: ViewT) -> ViewT:
    """Mark `view` as one whose responses never depend on the session."""
    view.sessionless = True  # type: ignore[attr-defined]
    return view


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, skipped for sessionless views.

    The serializer is made once per secret key (and fallbacks), and its signers
    derive their keys once (`signing`): Flask makes both again at each request.
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        return _serializer(keys, self.salt, self.key_derivation, self.digest_method)

    def save_session(
        self, app: Flask, session: SessionMixin, response: Response
    ) -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "sessionless", False) and not session.modified:
            return
        super().save_session(app, session, response)


@functools.lru_cache(maxsize=8)
def _serializer(
    keys: tuple[str | bytes, ...],
    salt: str,
    key_derivation: str,
    digest_method: Any,
) -> URLSafeTimedSerializer:
    """Return Flask's session serializer for these keys (the current one last)."""
    return URLSafeTimedSerializer(
        list(keys),  # type: ignore[arg-type]
        salt=salt,
        serializer=CookieSessions.serializer,
        signer=KeptKeysTimestamps,
        signer_kwargs={
            "key_derivation": key_derivation,
            "digest_method": digest_method,
        },
    )
