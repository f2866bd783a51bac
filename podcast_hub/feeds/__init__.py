"""The feeds podcast apps poll: rendering RSS and chapters, their versions and
cache. May import `web`, `conversation`, `catalog`, `library`, `text`, the root."""
