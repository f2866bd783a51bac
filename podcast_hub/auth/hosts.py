"""Host accounts: creation, passwords, login checks and ending sessions.

The one module that hashes passwords (werkzeug) and rates them (zxcvbn).
"""

import functools
import threading

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..errors import ValidationFailed
from ..extensions import db, login_manager
from ..models import Host, HostRole
from ..text import plain, rules

MIN_PASSWORD_LENGTH = 10
# zxcvbn's scale: 3 is "safely unguessable" against an online attack.
MIN_PASSWORD_SCORE = 3
PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters and hard to guess: "
    "a few uncommon words work well."
)
# zxcvbn refuses longer input; a password weak in its first 72 characters is refused.
_RATED_LENGTH = 72
# zxcvbn keeps the words of the current check (`user_inputs`) in a module global.
_rating = threading.Lock()


def normal_email(email):
    """Return `email` the way it is stored and compared: trimmed, lower case."""
    return (email or "").strip().lower()


def password_problems(password, user_inputs=()):
    """Return what makes `password` too weak, as messages; empty when it is fine.

    `user_inputs` are words an attacker would try first: the host's e-mail
    address and name.
    """
    password = password or ""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters."
        )
    if not password:
        return problems
    with _rating:
        rating = zxcvbn(password[:_RATED_LENGTH], user_inputs=list(user_inputs))
    if rating["score"] < MIN_PASSWORD_SCORE:
        feedback = rating["feedback"]
        problems.append(
            " ".join(
                [
                    "This password is easy to guess.",
                    *filter(None, [feedback["warning"]]),
                    *feedback["suggestions"],
                ]
            )
        )
    return problems


def _hash(password):
    return generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )


def create_host(email, display_name, password, role=HostRole.OWNER):
    """Create and return a host with `role`; raise ValidationFailed for bad input."""
    host = new_host(email, display_name, password, role)
    db.session.commit()
    return host


def new_host(email, display_name, password, role=HostRole.OWNER):
    """Add a host with `role` to the session, uncommitted: the caller's
    transaction holds it. Raise ValidationFailed for bad input."""
    email = normal_email(email)
    display_name = " ".join(plain.xml_safe(display_name or "").split())
    fields = {}
    if problem := rules.email_problem(email):
        fields["email"] = [problem]
    elif get_by_email(email) is not None:
        fields["email"] = ["A host with this e-mail address already exists."]
    if not 1 <= len(display_name) <= 80:
        fields["name"] = ["The display name must be 1 to 80 characters."]
    problems = password_problems(password, [email, display_name])
    if problems:
        fields["password"] = problems
    if role not in tuple(HostRole):
        fields["role"] = ["Choose owner, co-host or moderator."]
    if fields:
        raise ValidationFailed(fields)
    host = Host(
        email=email,
        display_name=display_name,
        password_hash=_hash(password),
        role=role,
    )
    db.session.add(host)
    db.session.flush()
    return host


def set_password(host, password):
    """Replace a host's password and end every session of theirs.

    Raises ValidationFailed (`password`) for a weak password.
    """
    problems = password_problems(password, [host.email, host.display_name])
    if problems:
        raise ValidationFailed({"password": problems})
    _replace_password(host, password)


def change_password(host, current_password, new_password):
    """Replace `host`'s password after checking the current one.

    Every session of the host ends; the caller logs the current one in again.
    Raises ValidationFailed (`current_password` or `new_password`).
    """
    if not check_password_hash(host.password_hash, current_password or ""):
        raise ValidationFailed(
            {"current_password": ["That is not your current password."]}
        )
    problems = password_problems(new_password, [host.email, host.display_name])
    if problems:
        raise ValidationFailed({"new_password": problems})
    _replace_password(host, new_password)


def _replace_password(host, password):
    host.password_hash = _hash(password)
    host.session_version = Host.session_version + 1
    db.session.commit()


def end_sessions(host):
    """End every session of `host`: cookies issued so far stop working."""
    host.session_version = Host.session_version + 1
    db.session.commit()


def all_hosts():
    """Return every host, by display name."""
    return db.session.scalars(sa.select(Host).order_by(Host.display_name)).all()


def get_by_email(email):
    """Return the host with this e-mail address, or None."""
    return db.session.scalar(sa.select(Host).where(Host.email == normal_email(email)))


def authenticate(email, password):
    """Return the host whose credentials these are, or None."""
    host = get_by_email(email)
    if host is None:
        # Spend the same time as a real check so e-mail addresses cannot be probed.
        check_password_hash(
            _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or ""
        )
        return None
    if check_password_hash(host.password_hash, password or ""):
        return host
    return None


@functools.cache
def _dummy_hash(method):
    return generate_password_hash("not a real password", method=method)


@login_manager.user_loader
def load_host(session_id):
    """Return the host of a session id from `Host.get_id`, or None once it ended."""
    host_id, _, version = str(session_id).partition(":")
    if not (host_id.isascii() and host_id.isdigit() and len(host_id) <= 18):
        return None
    host = db.session.get(Host, int(host_id))
    if host is None or version != str(host.session_version):
        return None
    return host
