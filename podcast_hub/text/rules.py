"""Field rules: what a valid e-mail address, web link, language code and slug
are, for every door that takes one: forms, sidecars, the dashboard, the CLI.

Each door words its own messages around a rule (a sidecar warning names the
key and the value it read) or uses the messages here. Imports nothing else of
the app.
"""

import re
import uuid

EMAIL_MAX = 254  # the longest address SMTP carries
# Something, one "@", a domain with a dot; no spaces. Also the API's pattern.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
NOT_AN_EMAIL = "That does not look like an e-mail address."
EMAIL_TOO_LONG = "That e-mail address is too long."
NOTIFY_NEEDS_EMAIL = "Give your e-mail address to be told of replies."
NOT_A_LANGUAGE = "Use a language code such as en, de or pt-BR."
NOT_A_SLUG = "Use lowercase letters, digits and single hyphens, as in my-episode-1."

_EMAIL = re.compile(EMAIL_PATTERN)
# A BCP 47 language tag as people write it: "en", "pt-BR".
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Whitespace and control characters (C0, DEL, C1) are never part of a link:
# browsers drop some of them while parsing, which turns "java\tscript:" into a
# scheme of its own.
_NOT_IN_URL = r"\s\x00-\x20\x7f-\x9f"
_WEB_URL = re.compile(
    rf"https?://[^{_NOT_IN_URL}/?#\\]+(?:[/?#][^{_NOT_IN_URL}]*)?", re.IGNORECASE
)


def is_email(value: object) -> bool:
    """Tell whether `value` is shaped like an e-mail address (length aside)."""
    return isinstance(value, str) and _EMAIL.fullmatch(value) is not None


def email_problem(value: str) -> str | None:
    """Return what is wrong with `value` as an e-mail address, or None."""
    if len(value) > EMAIL_MAX:
        return EMAIL_TOO_LONG
    return None if is_email(value) else NOT_AN_EMAIL


def is_language(value: object) -> bool:
    """Tell whether `value` is a language code such as en or pt-BR."""
    return isinstance(value, str) and _LANGUAGE.fullmatch(value) is not None


def is_slug(value: object) -> bool:
    """Tell whether `value` is a slug: lowercase ASCII letters and digits in
    words joined by single hyphens (length aside)."""
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


def safe_url(value: object, max_length: int | None = None) -> str | None:
    """Return `value`, stripped, if it is an http(s) address with a host, else None.

    The one rule for every outside link we store or hand on (chapter links from
    audio tags, sidecars and the dashboard; the show's funding and new-feed
    addresses), so that a `javascript:` or `data:` address never reaches a page,
    a feed or a podcast app. Anything else (another scheme, no host, whitespace
    or control characters inside, longer than `max_length`, not a string) is
    None.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        return None
    return value if _WEB_URL.fullmatch(value) else None


def url_problem(value: str, max_length: int) -> str | None:
    """Return what is wrong with `value` as a web link to store, or None."""
    if safe_url(value, max_length) is not None:
        return None
    return (
        "Give a web address starting with https:// or http://, "
        f"up to {max_length} characters."
    )


NOT_A_SHOW_GUID = (
    "Use a UUID, as in 917393e3-1b1e-5cef-ace4-edaa54e1f810 "
    "(the podcast:guid of the feed the show moves from)."
)
NOT_AN_ITEM_GUID = "Use up to 255 characters without spaces, as in a UUID or a URL."
ITEM_GUID_MAX = 255
_ITEM_GUID = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]+")


def show_guid(value: object) -> str | None:
    """Return a show's `podcast:guid` in its one spelling (a lowercase UUID), or
    None when `value` is no UUID."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower().startswith("urn:uuid:"):
        text = text[len("urn:uuid:") :]
    if len(text) != 36:
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def is_item_guid(value: object) -> bool:
    """Tell whether `value` can be an episode's `<guid>`: text without spaces."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= ITEM_GUID_MAX
        and _ITEM_GUID.fullmatch(value) is not None
    )
