"""Web links that people and files give us: http or https addresses, nothing else.

The one rule for every outside link we store or hand on (chapter links from
audio tags, sidecars and the dashboard; the show's funding and new-feed
addresses), so that a `javascript:` or `data:` address never reaches a page,
a feed or a podcast app. Imports nothing else of the app.
"""

import re

# Whitespace and control characters (C0, DEL, C1) are never part of a link:
# browsers drop some of them while parsing, which turns "java\tscript:" into a
# scheme of its own.
_NOT_IN_URL = r"\s\x00-\x20\x7f-\x9f"
_WEB_URL = re.compile(
    rf"https?://[^{_NOT_IN_URL}/?#\\]+(?:[/?#][^{_NOT_IN_URL}]*)?", re.IGNORECASE
)


def safe_url(value: object, max_length: int | None = None) -> str | None:
    """Return `value`, stripped, if it is an http(s) address with a host, else None.

    Anything else (another scheme, no host, whitespace or control characters
    inside, longer than `max_length`, not a string) is None.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        return None
    return value if _WEB_URL.fullmatch(value) else None
