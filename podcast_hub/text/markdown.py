"""Show notes: Markdown rendered with markdown-it-py, then sanitised with nh3.

The only module that imports markdown-it-py and nh3. Moments of the audio
("12:34") become seek links while the Markdown is still tokens, before nh3
sees the HTML; nothing touches the HTML after nh3.
"""

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup

from . import timecode

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
# `rel` and `data-seek` are only ever written by the rules below: raw HTML in
# the notes is text, so no author can set them.
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel", "data-seek"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


def _headings_below_the_title(state: StateCore) -> None:
    """Shift headings one level down: the episode title is the page's `<h1>`."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _links_marked_nofollow(state: StateCore) -> None:
    """Give the author's links `rel="nofollow noopener"`."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "link_open":
                token.attrSet("rel", LINK_REL)


def _moments_as_seek_links(state: StateCore) -> None:
    """Split text outside links and code so each moment becomes a seek link.

    Only moments within `env["duration_s"]` seconds are linked; without a
    duration none is. Code spans are tokens of their own and code blocks are
    not inline, so their text is never split.
    """
    duration_s = state.env.get("duration_s")
    if duration_s is None:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            elif token.type == "text" and not inside_link:
                children.extend(_split_moments(token, duration_s))
                continue
            children.append(token)
        block.children = children


def _split_moments(token: Token, duration_s: int) -> list[Token]:
    """Return `token`'s text as text tokens and seek links for its moments."""
    content = token.content
    pieces = []
    position = 0
    for match in timecode.IN_TEXT.finditer(content):
        seconds = timecode.within(match.group(0), duration_s)
        if seconds is None:
            continue
        if match.start() > position:
            pieces.append(_text(content[position : match.start()], token))
        link = Token("link_open", "a", 1, level=token.level)
        link.attrSet("href", f"?t={seconds}")
        link.attrSet("data-seek", str(seconds))
        pieces += [
            link,
            _text(match.group(0), token, level=token.level + 1),
            Token("link_close", "a", -1, level=token.level),
        ]
        position = match.end()
    if not pieces:
        return [token]
    if position < len(content):
        pieces.append(_text(content[position:], token))
    return pieces


def _text(content: str, like: Token, level: int | None = None) -> Token:
    level = like.level if level is None else level
    return Token("text", "", 0, content=content, level=level)


_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_markdown.core.ruler.push("headings_below_the_title", _headings_below_the_title)
_markdown.core.ruler.push("links_marked_nofollow", _links_marked_nofollow)
_markdown.core.ruler.push("moments_as_seek_links", _moments_as_seek_links)


def render(markdown: str | None, duration_s: int | None = None) -> Markup:
    """Return show notes written in Markdown as sanitised HTML.

    Raw HTML in the notes is shown as text, never run; links keep only http,
    https and mailto addresses and get `rel="nofollow noopener"`. Moments
    (`12:34`) outside links and code become `<a href="?t=754" data-seek="754">`
    when they lie within `duration_s` seconds; with no duration none does.
    """
    html = _markdown.render(markdown or "", {"duration_s": duration_s})
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel=None,
        ).strip()
    )
