"""What views need to know about the host making a request: where to send them
back, the guard on host-only API routes, a fresh session at login."""

import functools
from urllib.parse import urlsplit

from flask import session, url_for
from flask_login import current_user, login_user

from ..errors import json_error


def safe_next(target):
    """Return `target` if it is a path on this site, else the dashboard."""
    fallback = url_for("dashboard.index")
    if not target or not isinstance(target, str):
        return fallback
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return fallback
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return fallback
    return target


def host_required(view):
    """Answer 401 JSON to anyone but a logged-in host; mark `view` as host-only
    (the test that walks `app.url_map` finds host-only routes by it)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(401, "Log in as a host to do this.")
        return view(*args, **kwargs)

    guarded.host_only = True  # type: ignore[attr-defined]
    return guarded


def start_session(host):
    """Log `host` in on a fresh session: new cookie contents, new CSRF token."""
    session.clear()
    login_user(host)
