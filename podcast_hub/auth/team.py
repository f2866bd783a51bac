"""The show's team: who hosts it in which role, changing a role, removing a
host. The show always keeps at least one owner.

Invitations to join are mail (`mail.invitations`); what each role may do is
`roles`.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from ..errors import NotAllowed, ValidationFailed
from ..extensions import db
from ..models import Host, HostRole
from . import roles

LAST_OWNER = (
    "{name} is the show's only owner: make another host an owner first, "
    "so that someone can still run the team."
)


def members() -> Sequence[Host]:
    """Return every host: owners first, then co-hosts, then moderators, by name."""
    order = sa.case(
        {HostRole.OWNER.value: 0, HostRole.COHOST.value: 1}, value=Host.role, else_=2
    )
    return db.session.scalars(sa.select(Host).order_by(order, Host.display_name)).all()


def get_member(host_id: int) -> Host | None:
    """Return the host with this id, or None."""
    return db.session.get(Host, host_id)


def _other_owners(host: Host) -> int:
    """Count the owners besides `host`, locking their rows until the commit (so
    that two owners demoting each other at once cannot leave none)."""
    others = db.session.scalars(
        sa.select(Host.id)
        .where(Host.role == HostRole.OWNER, Host.id != host.id)
        .with_for_update()
    ).all()
    return len(others)


def _keep_an_owner(host: Host) -> None:
    if host.role == HostRole.OWNER and _other_owners(host) == 0:
        db.session.rollback()
        raise NotAllowed(LAST_OWNER.format(name=host.display_name))


def change_role(host: Host, role: str) -> None:
    """Give `host` the role `role`.

    Raises ValidationFailed (`role`) for an unknown role, NotAllowed when it
    would leave the show without an owner.
    """
    if role not in tuple(HostRole):
        raise ValidationFailed({"role": ["Choose owner, co-host or moderator."]})
    if role == host.role:
        return
    if role != HostRole.OWNER:
        _keep_an_owner(host)
    host.role = role
    db.session.commit()


def remove(host: Host) -> None:
    """Take `host` off the team: their account goes and every session of theirs
    ends with it; their replies stay, signed with their name.

    Raises NotAllowed for the show's last owner.
    """
    _keep_an_owner(host)
    # A session names the host's row (`hosts.load_host`): none works without it.
    db.session.delete(host)
    db.session.commit()


def role_choices() -> list[tuple[str, str]]:
    """Return (value, label) for each role, owner first."""
    return [(role.value, roles.label(role)) for role in HostRole]
