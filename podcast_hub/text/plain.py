"""Plain text made into safe HTML: paragraphs and line breaks, all else escaped.

`linkify` also turns moments of the audio into seek links and web addresses into
links; nothing a person typed ever becomes markup of its own. `xml_safe` is the
one rule for which characters text may hold at all.
"""

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from . import rules, timecode

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINKABLE = re.compile(
    rf"(?P<url>\bhttps?://[^\s<>\"'`]+)|(?P<moment>{timecode.IN_TEXT.pattern})",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than the address it follows.
_URL_TAIL = ".,;:!?*'\"]}>"
# What XML 1.0 cannot hold (C0 controls but tab and line ends, lone surrogates,
# U+FFFE, U+FFFF), and DEL and the C1 controls, which it can but nobody types.
_NOT_TEXT = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def xml_safe(text: str) -> str:
    """Return `text` without control characters and what XML 1.0 cannot hold.

    Applied wherever text comes in (forms, the JSON API, audio tags, sidecars,
    the command line) and again as it goes into a feed, so that one character
    can never make a feed invalid.
    """
    return _NOT_TEXT.sub("", text)


def paragraphs(text: str) -> Markup:
    """Return `text` as escaped `<p>` paragraphs, single newlines as `<br>`.

    The same markup as `_blocks` with `escape` would give, joined as plain
    strings (every comment of a thread's JSON goes through it).
    """
    text = text or ""
    if "\n" not in text:
        # One line, one paragraph (most comments): nothing to split.
        line = text.strip()
        return Markup("".join(("<p>", escape(line), "</p>")) if line else "")
    return Markup(
        "".join(
            "<p>" + "<br>".join(map(escape, block.split("\n"))) + "</p>"
            for block in map(str.strip, _PARAGRAPH_BREAK.split(text))
            if block
        )
    )


def linkify(text: str, duration_s: int | None = None) -> Markup:
    """Return `text` as paragraphs whose moments and web addresses are links.

    A moment (`12:34`, `1:02:03`) becomes `<a href="?t=754" data-seek="754">`
    only when it lies within `duration_s` seconds; with no duration none does.
    `http(s)://` addresses get `rel="nofollow ugc noopener"`. Everything else is
    escaped.
    """
    return _blocks(text, lambda line: _link_line(line, duration_s))


def _blocks(text: str, render_line: Callable[[str], Markup]) -> Markup:
    blocks = [block.strip() for block in _PARAGRAPH_BREAK.split(text or "")]
    return Markup("").join(
        Markup("<p>{}</p>").format(
            Markup("<br>").join(render_line(line) for line in block.split("\n"))
        )
        for block in blocks
        if block
    )


def _link_line(line: str, duration_s: int | None) -> Markup:
    parts = []
    position = 0
    for match in _LINKABLE.finditer(line):
        if match.group("url"):
            url, rest = _trim_url(match.group("url"))
            if rules.safe_url(url) is None:
                continue
            link = Markup('<a href="{}" rel="nofollow ugc noopener">{}</a>').format(
                url, url
            )
            parts += [escape(line[position : match.start()]), link, escape(rest)]
        else:
            seek = _moment_link(match.group("moment"), duration_s)
            if seek is None:
                continue
            parts += [escape(line[position : match.start()]), seek]
        position = match.end()
    parts.append(escape(line[position:]))
    return Markup("").join(parts)


def _trim_url(url: str) -> tuple[str, str]:
    """Split sentence punctuation and an unmatched `)` off the end of `url`."""
    end = len(url)
    while end > 0:
        last = url[end - 1]
        if last in _URL_TAIL:
            end -= 1
        elif last == ")" and url.count("(", 0, end) < url.count(")", 0, end):
            end -= 1
        else:
            break
    return url[:end], url[end:]


def _moment_link(written: str, duration_s: int | None) -> Markup | None:
    seconds = timecode.within(written, duration_s)
    if seconds is None:
        return None
    return Markup('<a href="?t={}" data-seek="{}">{}</a>').format(
        seconds, seconds, written
    )
