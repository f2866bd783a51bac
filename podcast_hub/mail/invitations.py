"""Invitations to the team: an owner names an address and a role, the address
gets a mail with a link that works once, for a week, until revoked; following
it makes the account (or gives an existing host the role).

The link is a signed token (`tokens`) naming the invitation and its current
`nonce`: sending the invitation again draws a new nonce, so an older mail's
link stops working.
"""

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import cast

import sqlalchemy as sa

from .. import clock
from ..auth import hosts, roles, team
from ..errors import NotAllowed, NotFound, ValidationFailed
from ..extensions import db, insert_skipping_taken
from ..models import Host, HostRole, Invitation, MailKind
from ..text import rules
from . import outbox, tokens

VALID_FOR = timedelta(days=7)

NOT_A_LINK = (
    "This invitation link is not valid: check that the whole address from the "
    "mail was opened, or ask the show's owner to send the invitation again."
)
REPLACED = (
    "This invitation was sent again since this mail: use the link in the latest mail."
)
REVOKED = "The show's owner withdrew this invitation."
USED = "This invitation was already used: log in with your e-mail address."
WAITING_ALREADY = (
    "This address already has an invitation waiting: send it again or "
    "withdraw it below."
)
EXPIRED = "This invitation expired: ask the show's owner to send it again."


def is_pending(invitation: Invitation) -> bool:
    """Tell whether `invitation` still waits for an answer (maybe expired)."""
    return invitation.accepted_at is None and invitation.revoked_at is None


def is_expired(invitation: Invitation) -> bool:
    """Tell whether the link of `invitation` is past its date."""
    return invitation.expires_at <= clock.now()


def pending() -> Sequence[Invitation]:
    """Return the invitations not yet accepted or revoked, newest first."""
    return db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
    ).all()


def get(invitation_id: int) -> Invitation | None:
    """Return the invitation with this id, or None."""
    return db.session.get(Invitation, invitation_id)


def _send(invitation: Invitation) -> None:
    """Draw a new link for `invitation` and queue its mail (uncommitted)."""
    now = clock.now()
    invitation.nonce = secrets.token_hex(16)
    invitation.sent_at = now
    invitation.expires_at = now + VALID_FOR
    db.session.flush()
    outbox.queue(
        f"invite:{invitation.id}:{invitation.nonce}",
        MailKind.INVITE,
        invitation_id=invitation.id,
    )


def invite(email: str, role: str, by: Host | None) -> Invitation:
    """Invite `email` to the team as `role` and queue the mail; return it.

    Raises ValidationFailed (`email`, `role`) for a bad address or role, an
    address already on the team, or one with an invitation waiting.
    """
    email = hosts.normal_email(email)
    fields: dict[str, list[str]] = {}
    if problem := rules.email_problem(email):
        fields["email"] = [problem]
    elif hosts.get_by_email(email) is not None:
        fields["email"] = [
            "This address already belongs to a host of the show: change their "
            "role in the list instead."
        ]
    elif any(i.email == email and not is_expired(i) for i in pending()):
        fields["email"] = [WAITING_ALREADY]
    if role not in tuple(HostRole):
        fields["role"] = ["Choose owner, co-host or moderator."]
    if fields:
        raise ValidationFailed(fields)
    now = clock.now()
    # An expired invitation to the same address gives way to the new one.
    for old in pending():
        if old.email == email:
            old.revoked_at = now
    row = {
        "email": email,
        "role": role,
        "invited_by_id": by.id if by is not None else None,
        "nonce": "",
        "created_at": now,
        "expires_at": now + VALID_FOR,
    }
    # One waiting per address (`models.WAITING`): an invitation made meanwhile
    # by another request (a double click) is the one waiting.
    db.session.flush()
    insert = insert_skipping_taken(Invitation).returning(Invitation)
    invitation = db.session.scalars(insert, [row]).one_or_none()
    if invitation is None:
        db.session.rollback()
        raise ValidationFailed({"email": [WAITING_ALREADY]})
    _send(invitation)
    db.session.commit()
    return invitation


def resend(invitation: Invitation) -> None:
    """Send `invitation` again with a new link, valid for another week; the
    older links stop working. Raises NotAllowed once it is answered."""
    if not is_pending(invitation):
        raise NotAllowed("This invitation was already answered or withdrawn.")
    _send(invitation)
    db.session.commit()


def revoke(invitation: Invitation) -> None:
    """Withdraw `invitation`: its link stops working."""
    if is_pending(invitation):
        invitation.revoked_at = clock.now()
        db.session.commit()


def link_token(invitation: Invitation) -> str:
    """Return the token of the link in the latest mail of `invitation`."""
    return tokens.make(tokens.INVITE, id=invitation.id, nonce=invitation.nonce)


def read(token: str) -> Invitation:
    """Return the invitation a link's token names, if it can still be accepted.

    Raises NotFound for a token that is not one, NotAllowed (with what to do)
    for a replaced, withdrawn, used or expired link.
    """
    data = tokens.read(tokens.INVITE, token) or {}
    invitation_id = data.get("id")
    invitation = (
        db.session.get(Invitation, invitation_id)
        if isinstance(invitation_id, int)
        else None
    )
    if invitation is None:
        raise NotFound(NOT_A_LINK)
    if invitation.accepted_at is not None:
        raise NotAllowed(USED)
    if invitation.revoked_at is not None:
        raise NotAllowed(REVOKED)
    if data.get("nonce") != invitation.nonce:
        raise NotAllowed(REPLACED)
    if is_expired(invitation):
        raise NotAllowed(EXPIRED)
    return invitation


def existing_host(invitation: Invitation) -> Host | None:
    """Return the host who already has the invitation's address, if any."""
    return hosts.get_by_email(invitation.email)


def accept(
    invitation: Invitation, display_name: str | None = None, password: str | None = None
) -> Host:
    """Answer `invitation`: make the invitee's account with `display_name` and
    `password`, or give the host who has the address the invitation's role.
    Return the host. The link stops working.

    Raises ValidationFailed (`name`, `password`) for a bad account, NotAllowed
    when the role would leave the show without an owner.
    """
    # The link answered twice at once (a double click, two tabs): the first to
    # mark it accepted goes on, the other is told it was used, before either
    # makes an account that the other would make again.
    claim = (
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(accepted_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    try:
        if cast(sa.CursorResult, db.session.execute(claim)).rowcount != 1:
            raise NotAllowed(USED)
        host = existing_host(invitation)
        if host is None:
            host = hosts.new_host(
                invitation.email, display_name, password, role=invitation.role
            )
        elif host.role != invitation.role:
            team.change_role(host, invitation.role)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return host


def role_label(invitation: Invitation) -> str:
    """Return the invitation's role for people."""
    return roles.label(invitation.role)
