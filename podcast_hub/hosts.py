"""Host accounts: creation, passwords and login checks."""

import functools

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import ValidationFailed
from .extensions import db, login_manager
from .models import Host

MIN_PASSWORD_LENGTH = 8
_PASSWORD_RULE = f"The password must be at least {MIN_PASSWORD_LENGTH} characters."


def _normal_email(email):
    return (email or "").strip().lower()


def create_host(email, display_name, password):
    """Create and return a host; raise ValidationFailed for bad input."""
    email = _normal_email(email)
    display_name = (display_name or "").strip()
    fields = {}
    if "@" not in email or len(email) > 254 or " " in email:
        fields["email"] = ["Give a valid e-mail address."]
    elif get_by_email(email) is not None:
        fields["email"] = ["A host with this e-mail address already exists."]
    if not 1 <= len(display_name) <= 80:
        fields["name"] = ["The display name must be 1 to 80 characters."]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = [_PASSWORD_RULE]
    if fields:
        raise ValidationFailed(fields)
    host = Host(
        email=email,
        display_name=display_name,
        password_hash=generate_password_hash(password),
    )
    db.session.add(host)
    db.session.commit()
    return host


def set_password(host, password):
    """Replace a host's password."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"password": [_PASSWORD_RULE]})
    host.password_hash = generate_password_hash(password)
    db.session.commit()


def change_password(host, current_password, new_password):
    """Replace `host`'s password after checking the current one.

    Raises ValidationFailed (`current_password` or `new_password`).
    """
    if not check_password_hash(host.password_hash, current_password or ""):
        raise ValidationFailed(
            {"current_password": ["That is not your current password."]}
        )
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": [_PASSWORD_RULE]})
    host.password_hash = generate_password_hash(new_password)
    db.session.commit()


def all_hosts():
    """Return every host, by display name."""
    return db.session.scalars(sa.select(Host).order_by(Host.display_name)).all()


def get_by_email(email):
    """Return the host with this e-mail address, or None."""
    return db.session.scalar(sa.select(Host).where(Host.email == _normal_email(email)))


def authenticate(email, password):
    """Return the host whose credentials these are, or None."""
    host = get_by_email(email)
    if host is None:
        # Spend the same time as a real check so e-mail addresses cannot be probed.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if check_password_hash(host.password_hash, password or ""):
        return host
    return None


@functools.cache
def _dummy_hash():
    return generate_password_hash("not a real password")


@login_manager.user_loader
def load_host(host_id):
    """Return the logged-in host for Flask-Login."""
    try:
        return db.session.get(Host, int(host_id))
    except (TypeError, ValueError):
        return None
