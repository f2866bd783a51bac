"""The podcast feed, built with feedgen (stub: being written)."""


def render(show, episodes, links):
    """Return the RSS feed of `show` with `episodes` as bytes."""
    raise NotImplementedError
