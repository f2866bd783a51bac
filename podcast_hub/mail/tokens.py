"""Signed tokens for the links in mail: confirming an address, unsubscribing,
joining the team.

The one door to itsdangerous. A token names an address row and a fingerprint
of the address, so that it stops working if the row ever holds another one.
"""

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

CONFIRM = "podcast-hub.mail.confirm"
UNSUBSCRIBE = "podcast-hub.mail.unsubscribe"
INVITE = "podcast-hub.mail.invite"


def fingerprint(email: str) -> str:
    """Return a short hash of `email`: the token carries it, never the address."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make(purpose: str, **data: Any) -> str:
    """Return a token for `purpose` (CONFIRM, UNSUBSCRIBE, INVITE) with `data`."""
    return str(_serializer(purpose).dumps(data))


def read(purpose: str, token: str) -> dict[str, Any] | None:
    """Return the data of a token made for `purpose`, or None if it is not one."""
    try:
        data = _serializer(purpose).loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
