"""The host's dashboard: the inbox, moderation, episodes, insights, the show, its
feed's health and the account. May import `web`, `auth`, every domain part and the root.

`blueprint` holds the blueprint and what the tabs share; each tab's module adds
its routes to it.
"""

from . import account, episodes, health, inbox, insights, moderation, show
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
]
