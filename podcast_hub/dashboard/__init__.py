"""The host's dashboard: the inbox, moderation, episodes, insights, the show, its
feed's health, the account and the team. May import `web`, `auth`, `mail`, every
domain part and the root.

`blueprint` holds the blueprint and what the tabs share; each tab's module adds
its routes to it.
"""

from . import account, episodes, health, inbox, insights, moderation, show, team
from .blueprint import bp

__all__ = [
    "account",
    "bp",
    "episodes",
    "health",
    "inbox",
    "insights",
    "moderation",
    "show",
    "team",
]
