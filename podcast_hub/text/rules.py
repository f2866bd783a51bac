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


# podcast:medium, as the Podcast Namespace lists it: what the feed is, and the
# "L" variants for feeds that list other feeds.
MEDIUMS = (
    "podcast",
    "music",
    "video",
    "film",
    "audiobook",
    "newsletter",
    "blog",
    "publisher",
    "course",
    "mixed",
    "podcastL",
    "musicL",
    "videoL",
    "filmL",
    "audiobookL",
    "newsletterL",
    "blogL",
    "publisherL",
    "courseL",
)
NOT_A_MEDIUM = "Use one of the Podcast Namespace's mediums: " + ", ".join(MEDIUMS) + "."

# The Podcast Taxonomy Project's groups and their roles, for podcast:person.
# The feed writes them lowercase, as the namespace's examples do.
PERSON_ROLES = {
    "creative direction": (
        "director",
        "assistant director",
        "executive producer",
        "senior producer",
        "producer",
        "associate producer",
        "development producer",
        "creative director",
    ),
    "cast": (
        "host",
        "co-host",
        "guest host",
        "guest",
        "voice actor",
        "narrator",
        "announcer",
        "reporter",
    ),
    "writing": (
        "author",
        "editorial director",
        "co-writer",
        "writer",
        "songwriter",
        "guest writer",
        "story editor",
        "managing editor",
        "script editor",
        "script coordinator",
        "researcher",
        "editor",
        "fact checker",
        "translator",
        "transcriber",
        "logger",
    ),
    "audio production": (
        "studio coordinator",
        "technical director",
        "technical manager",
        "audio engineer",
        "remote recording engineer",
        "post production engineer",
    ),
    "audio post-production": (
        "audio editor",
        "sound designer",
        "foley artist",
        "composer",
        "theme music",
        "music production",
        "music contributor",
    ),
    "administration": (
        "production coordinator",
        "booking coordinator",
        "production assistant",
        "content manager",
        "marketing manager",
        "sales representative",
        "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": (
        "camera operator",
        "lighting designer",
        "camera grip",
        "assistant camera",
    ),
    "video post-production": ("editor", "assistant editor"),
}
PERSON_NAME_MAX = 128
# An iCalendar RRULE as podcast:updateFrequency takes it: FREQ first.
_RRULE = re.compile(
    r"FREQ=(?:SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)"
    r"(?:;[A-Z]+=[A-Za-z0-9,+-]+)*"
)
NOT_AN_RRULE = (
    "Use an iCalendar rule starting with FREQ=, as in FREQ=WEEKLY or "
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO."
)
# A licence identifier: SPDX's (CC-BY-4.0) or a short name of one's own.
_LICENSE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,127}")
# The SPDX identifiers podcasters use; any other licence needs its address.
SPDX_LICENSES = frozenset(
    {
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-NC-ND-4.0",
        "CC-BY-3.0",
        "CC-BY-SA-3.0",
        "CC-BY-NC-3.0",
        "CC-BY-NC-SA-3.0",
        "CC-BY-ND-3.0",
        "CC-BY-NC-ND-3.0",
        "CC-PDDC",
        "MIT",
        "Apache-2.0",
        "GPL-3.0-or-later",
        "GFDL-1.3-or-later",
    }
)
TXT_MAX = 4000
TXT_PURPOSE_MAX = 128
_TXT_PURPOSE = re.compile(r"[A-Za-z0-9_-]{1,128}")


def medium_problem(value: str) -> str | None:
    """Return what is wrong with `value` as a podcast:medium, or None."""
    return None if value in MEDIUMS else NOT_A_MEDIUM


def person_problems(
    name: str, role: str, group: str, img: str | None, href: str | None
) -> dict[str, str]:
    """Return {field: what is wrong} for a podcast:person; empty when all is well.

    `role` and `group` are compared without case; `img` and `href` are
    optional https addresses.
    """
    problems = {}
    if not name.strip() or len(name) > PERSON_NAME_MAX:
        problems["name"] = f"Give a name of 1 to {PERSON_NAME_MAX} characters."
    roles = PERSON_ROLES.get(group.lower())
    if roles is None:
        problems["group"] = "Use a group of the Podcast Taxonomy: " + ", ".join(
            PERSON_ROLES
        )
    elif role.lower() not in roles:
        problems["role"] = (
            f"In the group {group.lower()!r} the Podcast Taxonomy's roles are: "
            + ", ".join(roles)
        )
    for key, value in (("img", img), ("href", href)):
        if value and (problem := https_problem(value, 512)):
            problems[key] = problem
    return problems


def https_problem(value: str, max_length: int) -> str | None:
    """Return what is wrong with `value` as an https address to store, or None."""
    if safe_url(value, max_length) is not None and value.strip().lower().startswith(
        "https://"
    ):
        return None
    return f"Give an address starting with https://, up to {max_length} characters."


def rrule_problem(value: str) -> str | None:
    """Return what is wrong with `value` as an update frequency rule, or None."""
    return None if len(value) <= 255 and _RRULE.fullmatch(value) else NOT_AN_RRULE


def license_problem(
    identifier: str, url: str | None, *, needs_url: bool = True
) -> str | None:
    """Return what is wrong with a podcast:license, or None.

    An SPDX identifier stands alone; any other licence needs its https address
    (unless `needs_url` is False: the address is checked elsewhere).
    """
    if not _LICENSE.fullmatch(identifier):
        return (
            "Use a licence identifier such as CC-BY-4.0: letters, digits, "
            "dots, pluses and hyphens, up to 128 characters."
        )
    if needs_url and identifier not in SPDX_LICENSES and not url:
        return (
            f"{identifier} is not an SPDX identifier we know: give the "
            "licence's address too."
        )
    return None


def txt_problem(purpose: str | None, text: str) -> str | None:
    """Return what is wrong with a podcast:txt record, or None."""
    if purpose is not None and not _TXT_PURPOSE.fullmatch(purpose):
        return (
            "A purpose is one word of letters, digits, - and _, "
            f"up to {TXT_PURPOSE_MAX} characters."
        )
    if not text.strip() or len(text) > TXT_MAX:
        return f"Give a text of 1 to {TXT_MAX} characters."
    return None


def parse_txt_lines(text: str) -> tuple[list[dict[str, str | None]], list[str]]:
    """Return the podcast:txt records of `text`, one a line, and the problems.

    A line is `purpose: text` (a one-word purpose, as in
    `applepodcastsverify: 4ee1…`) or the text alone.
    """
    records: list[dict[str, str | None]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, colon, rest = line.partition(":")
        purpose: str | None = None
        value = line
        if colon and _TXT_PURPOSE.fullmatch(head.strip()) and rest.strip():
            if not rest.startswith("//"):
                purpose, value = head.strip(), rest.strip()
        if problem := txt_problem(purpose, value):
            problems.append(f"Line {number}: {problem}")
        else:
            records.append({"purpose": purpose, "text": value})
    return records, problems


# --- subscribe: the show's accent colour and its ids in podcast directories ---

# The pages' background and the text on buttons: the accent must read on both.
PAGE_COLOURS = ("#fdfcfa", "#ffffff")
MIN_CONTRAST = 4.5  # WCAG 2.2 AA for body text
NOT_A_COLOUR = "Use a colour written #rrggbb, as in #5a2ea6."
_COLOUR = re.compile(r"#?([0-9a-fA-F]{6})")
NOT_AN_APPLE_ID = (
    "Give the show's Apple Podcasts id, the digits after “id” in its address "
    "(https://podcasts.apple.com/…/id1234567890), or paste that address."
)
_APPLE_ID = re.compile(r"(?:id)?([0-9]{5,12})")
_APPLE_URL = re.compile(
    r"https?://(?:podcasts|itunes)\.apple\.com/(?:[^\s?#]*/)?id([0-9]{5,12})"
    r"(?:[?#][^\s]*)?"
)
NOT_A_SPOTIFY_SHOW = (
    "Give the show's Spotify address, as in "
    "https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk (Spotify for Creators "
    "shows it under Share)."
)
_SPOTIFY_ID = r"([0-9A-Za-z]{22})"
_SPOTIFY = re.compile(
    rf"https://open\.spotify\.com/(?:intl-[a-z-]+/)?show/{_SPOTIFY_ID}(?:[?#]\S*)?"
    rf"|spotify:show:{_SPOTIFY_ID}"
)


def colour(value: str) -> str | None:
    """Return `value` as a lowercase `#rrggbb` colour, or None if it is not one."""
    match = _COLOUR.fullmatch(value.strip())
    return f"#{match.group(1).lower()}" if match else None


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two `#rrggbb` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(value: str) -> float:
    channels = [int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def readable_accent(value: str) -> str:
    """Return `value` (`#rrggbb`), darkened just enough that text on the pages'
    colours and white text on it keep `MIN_CONTRAST`: the same hue, darker."""
    red, green, blue = (int(value[i : i + 2], 16) for i in (1, 3, 5))
    for step in range(101):
        scale = 1 - step / 100
        candidate = "#" + "".join(
            f"{round(channel * scale):02x}" for channel in (red, green, blue)
        )
        if _accent_reads(candidate):
            return candidate
    return "#000000"


def _accent_reads(value: str) -> bool:
    return all(contrast_ratio(value, page) >= MIN_CONTRAST for page in PAGE_COLOURS)


def accent_problem(value: str) -> str | None:
    """Return what is wrong with `value` as the show's accent colour, or None.

    The accent colours links on the pages' light background and the background
    of buttons with white text: both need a contrast of 4.5:1.
    """
    found = colour(value)
    if found is None:
        return NOT_A_COLOUR
    if _accent_reads(found):
        return None
    ratio = min(contrast_ratio(found, page) for page in PAGE_COLOURS)
    return (
        f"{found} is too light for text: links in it and white text on its "
        f"buttons would have a contrast of {ratio:.1f}:1, and need "
        f"{MIN_CONTRAST:g}:1. The same colour darker, {readable_accent(found)}, "
        "reads well."
    )


def apple_podcasts_id(value: str) -> str | None:
    """Return the Apple Podcasts id (digits) that `value` gives, or None.

    `value` is the id (`1234567890` or `id1234567890`) or the show's address on
    podcasts.apple.com.
    """
    value = value.strip()
    match = _APPLE_ID.fullmatch(value) or _APPLE_URL.fullmatch(value)
    return match.group(1) if match else None


def spotify_show_url(value: str) -> str | None:
    """Return the show's address on Spotify, `https://open.spotify.com/show/<id>`,
    that `value` gives (that address with or without its `?si=…`, or a
    `spotify:show:` link), or None."""
    match = _SPOTIFY.fullmatch(value.strip())
    if match is None:
        return None
    return f"https://open.spotify.com/show/{match.group(1) or match.group(2)}"
