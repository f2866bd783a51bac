"""Show notes: Markdown rendered with markdown-it-py, then sanitised with nh3.

The only module that imports markdown-it-py and nh3. Moments of the audio
("12:34") become seek links while the Markdown is still tokens, before nh3
sees the HTML; nothing touches the HTML after nh3.

Podcast apps get the same notes through the same pipeline (`for_apps`), cut
down to the few tags Apple and PSP-1 allow, with moments linked to the
episode's page; and as plain text (`as_text`) where they want text.
"""

import functools
import html
import re
import threading

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
# What Apple Podcasts and the Podcast Standards Project (PSP-1) allow in
# <description> and <content:encoded>.
APP_TAGS = frozenset({"p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"})
# "*": nh3 would otherwise keep `title` and `lang` on every element.
APP_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


def _headings_below_the_title(state: StateCore) -> None:
    """Shift headings one level down: the episode title is the page's `<h1>`."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


def _headings_as_strong_paragraphs(state: StateCore) -> None:
    """For apps, which show no headings: make each one a paragraph in bold."""
    if not state.env.get("for_apps"):
        return
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            token.tag = "p"
        if token.type == "heading_open" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            inline.children = [
                Token("strong_open", "strong", 1),
                *(inline.children or []),
                Token("strong_close", "strong", -1),
            ]
        elif token.type in ("fence", "code_block"):
            # A paragraph whose lines stay lines, as text.
            token.type = "paragraph_code"
        elif token.type in ("tr_open", "tr_close"):
            token.tag = "p"
        elif token.type in ("th_open", "td_open"):
            token.hidden = True
        elif token.type in ("th_close", "td_close"):
            # Cells of a row as one line: "a · b".
            last = tokens[index + 1].type == "tr_close"
            token.hidden = last
            token.type = "cell_gap"


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
    page = state.env.get("page", "")
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
                children.extend(_split_moments(token, duration_s, page))
                continue
            children.append(token)
        block.children = children


def _split_moments(token: Token, duration_s: int, page: str) -> list[Token]:
    """Return `token`'s text as text tokens and seek links for its moments.

    A link is `?t=754` on the page itself, or `<page>?t=754` when `page` is
    given (for apps, which show the notes away from the page).
    """
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
        link.attrSet("href", f"{page}?t={seconds}")
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


def _render_code_as_lines(self, tokens, index, options, env) -> str:  # type: ignore[no-untyped-def]
    lines = tokens[index].content.rstrip("\n").split("\n")
    return "<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>\n"


def _make_markdown() -> MarkdownIt:
    made = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    made.core.ruler.push("headings_below_the_title", _headings_below_the_title)
    made.core.ruler.push("links_marked_nofollow", _links_marked_nofollow)
    made.core.ruler.push("moments_as_seek_links", _moments_as_seek_links)
    made.core.ruler.push(
        "headings_as_strong_paragraphs", _headings_as_strong_paragraphs
    )
    made.add_render_rule("paragraph_code", _render_code_as_lines)
    made.add_render_rule(
        "cell_gap",
        lambda self, tokens, index, options, env: "" if tokens[index].hidden else " · ",
    )
    return made


# A parser for each thread: markdown-it's is not safe to share between threads
# (threaded workers failed with "none of the block rules matched").
_threads = threading.local()


def _markdown() -> MarkdownIt:
    made = getattr(_threads, "markdown", None)
    if made is None:
        made = _threads.markdown = _make_markdown()
    return made


def render(markdown: str | None, duration_s: int | None = None) -> Markup:
    """Return show notes written in Markdown as sanitised HTML.

    Raw HTML in the notes is shown as text, never run; links keep only http,
    https and mailto addresses and get `rel="nofollow noopener"`. Moments
    (`12:34`) outside links and code become `<a href="?t=754" data-seek="754">`
    when they lie within `duration_s` seconds; with no duration none does.
    """
    html = _markdown().render(markdown or "", {"duration_s": duration_s})
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel=None,
        ).strip()
    )


def for_apps(markdown: str | None, page_url: str, duration_s: int | None = None) -> str:
    """Return show notes as HTML for podcast apps: `render`'s pipeline, cut down.

    Only the tags Apple and PSP-1 allow (`APP_TAGS`) remain: headings become
    paragraphs in bold, code becomes plain lines, tables and quotes keep their
    text. Links keep only `href`; a moment links to `<page_url>?t=754`. Text
    typed in angle brackets (`<voices>`) stays text. The result never holds
    `]]>`, so it fits a CDATA section. A typed `<` before a letter is followed
    by an invisible `WORD_JOINER`, so that it stays text even for readers that
    decode twice.

    Notes of usual length are remembered: a feed built again after one change
    renders only the notes that changed.
    """
    if markdown is None or len(markdown) > _REMEMBERED_MAX:
        return _for_apps(markdown, page_url, duration_s)
    return _remembered_for_apps(markdown, page_url, duration_s)


def _for_apps(markdown: str | None, page_url: str, duration_s: int | None) -> str:
    env = {"duration_s": duration_s, "page": page_url, "for_apps": True}
    rendered = _ESCAPED_TAG_START.sub(
        "&lt;" + WORD_JOINER, _markdown().render(markdown or "", env)
    )
    cleaned = nh3.clean(
        rendered,
        tags=APP_TAGS,
        attributes=APP_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
    )
    return _BLANK_LINES.sub("\n", cleaned).strip().replace("]]>", "]]&gt;")


_remembered_for_apps = functools.lru_cache(maxsize=2048)(_for_apps)
_REMEMBERED_MAX = 20_000
_BLANK_LINES = re.compile(r"\n\s*\n")
# Some readers decode a feed's text twice (podcast-partytime does), and many
# apps show the summary as HTML: a `<` typed before a letter gets an invisible
# word joiner after it, so that no HTML reader can take `<voices>` or
# `<script>` for a tag however often it decodes, and every app shows the text.
WORD_JOINER = "\u2060"
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ESCAPED_TAG_START = re.compile(r"&lt;(?=[A-Za-z/!?])")
_BREAKS = {
    "<br>": "\n",
    "</p>": "\n\n",
    "<li>": "- ",
    "</li>": "\n",
    "</ul>": "\n",
    "</ol>": "\n",
}
_BREAK = re.compile("|".join(_BREAKS))
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def as_text(markdown: str | None) -> str:
    """Return show notes as plain text: paragraphs apart, no markup at all.

    For `itunes:summary` and the like, which apps show as text: `<voices>`
    typed in the notes comes back as `<voices>`, an invisible `WORD_JOINER`
    after its `<`, so that an app that takes the text for HTML shows it too.
    """
    return text_of(for_apps(markdown, ""))


def text_of(app_html: str) -> str:
    """Return the plain text of HTML made by `for_apps` (see `as_text`)."""
    # Newlines in HTML are spaces; only the tags break lines.
    flat = app_html.replace("\n", " ")
    broken = _BREAK.sub(lambda m: _BREAKS[m.group(0)], flat)
    text = _TAG_START.sub("<" + WORD_JOINER, html.unescape(_TAG.sub("", broken)))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def first_sentence(text: str, limit: int = 255) -> str:
    """Return the first paragraph of plain `text`, cut to `limit` characters.

    For `itunes:subtitle`: a cut ends on a word and an ellipsis.
    """
    first = text.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) <= limit:
        return first
    cut = first[:limit]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return cut.rstrip(" ,;:.")[: limit - 1] + "…"
