"""Which permission (`auth.roles`) each dashboard route needs, by its path.

One table for every tab, so that a route added to any tab is covered the day it
is added: the first prefix of its path that matches decides, and a path that
matches none is the owner's alone (refused until someone says otherwise).
"""

from ..auth.roles import Permission

# (path prefix, permission): the first match wins, so the longer prefixes come first.
RULES: list[tuple[str, Permission]] = [
    ("/dashboard/team", Permission.TEAM),
    ("/dashboard/show", Permission.SHOW),
    ("/dashboard/mail/", Permission.SHOW),
    ("/dashboard/account", Permission.ACCOUNT),
    ("/dashboard/episodes", Permission.EPISODES),
    ("/dashboard/insights", Permission.EPISODES),
    ("/dashboard/health", Permission.EPISODES),
    ("/dashboard/moderation", Permission.CONVERSATION),
    ("/dashboard/comments", Permission.CONVERSATION),
    ("/dashboard/inbox", Permission.CONVERSATION),
    # Undoing what was just done in the inbox (moderation, block, trust).
    ("/dashboard/undo", Permission.CONVERSATION),
]
# The inbox itself.
EXACT = {"/dashboard": Permission.CONVERSATION, "/dashboard/": Permission.CONVERSATION}
UNLISTED = Permission.TEAM


def permission_for(rule: str) -> Permission:
    """Return the permission a dashboard route (its rule, `/dashboard/...`) needs."""
    if rule in EXACT:
        return EXACT[rule]
    for prefix, permission in RULES:
        if rule == prefix.rstrip("/") or rule.startswith(prefix.rstrip("/") + "/"):
            return permission
    return UNLISTED
