"""What each role on the team may do: the permission matrix, in one place.

| permission     | covers                                      | owner | co-host | mod |
|----------------|---------------------------------------------|-------|---------|-----|
| `conversation` | inbox, replies, moderating, blocks, filters | yes   | yes     | yes |
| `episodes`     | new, edit, publish, unpublish; insights     | yes   | yes     | no  |
| `show`         | the show's settings, cover, people; outbox  | yes   | no      | no  |
| `team`         | inviting, changing roles, removing hosts    | yes   | no      | no  |
| `account`      | one's own password, mail and inbox feed     | yes   | yes     | yes |

The dashboard says which permission each of its routes needs (`dashboard.access`).
"""

import enum

from ..models import HostRole


class Permission(enum.StrEnum):
    """A kind of work in the dashboard; a role allows some of them."""

    CONVERSATION = "conversation"
    EPISODES = "episodes"
    SHOW = "show"
    TEAM = "team"
    ACCOUNT = "account"


ALLOWED: dict[str, frozenset[Permission]] = {
    HostRole.OWNER: frozenset(Permission),
    HostRole.COHOST: frozenset(
        {Permission.CONVERSATION, Permission.EPISODES, Permission.ACCOUNT}
    ),
    HostRole.MODERATOR: frozenset({Permission.CONVERSATION, Permission.ACCOUNT}),
}

LABELS: dict[str, str] = {
    HostRole.OWNER: "Owner",
    HostRole.COHOST: "Co-host",
    HostRole.MODERATOR: "Moderator",
}

DESCRIPTIONS: dict[str, str] = {
    HostRole.OWNER: "Everything, including the team and the show's settings.",
    HostRole.COHOST: (
        "Episodes, publishing, replies, moderation and insights; not the team "
        "or the show's settings."
    ),
    HostRole.MODERATOR: (
        "Replies and moderation only: may not publish, unpublish or edit "
        "episodes, nor change settings."
    ),
}

# What a role that lacks the permission may not do, for the refusal's message.
REFUSED = {
    Permission.CONVERSATION: "answer or moderate comments",
    Permission.EPISODES: "add, edit, publish or unpublish episodes or see insights",
    Permission.SHOW: "change the show's settings",
    Permission.TEAM: "manage the team",
    Permission.ACCOUNT: "change this account",
}


def allows(role: str | None, permission: Permission) -> bool:
    """Tell whether `role` allows `permission`; an unknown role allows nothing."""
    return permission in ALLOWED.get(role or "", frozenset())


def label(role: str | None) -> str:
    """Return the role's name for people: "Owner", "Co-host", "Moderator"."""
    return LABELS.get(role or "", "Unknown role")


def refusal(role: str | None, permission: Permission) -> str:
    """Return the message that tells a host their role does not allow this."""
    return (
        f"Your role on this show is {label(role)}: it may not "
        f"{REFUSED[permission]}. Ask an owner of the show if you need to."
    )
