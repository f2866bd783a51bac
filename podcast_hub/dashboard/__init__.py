"""The host's dashboard: the inbox, moderation, episodes, insights, the show and
the account. May import `web`, `auth`, every domain part and the root."""
