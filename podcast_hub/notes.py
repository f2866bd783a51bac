"""Show notes: Markdown rendered with markdown-it-py, then sanitised with nh3.

The only module that imports markdown-it-py and nh3.
"""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

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
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def _headings_below_the_title(state):
    """Shift headings one level down: the episode title is the page's `<h1>`."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_markdown.core.ruler.push("headings_below_the_title", _headings_below_the_title)


def render(markdown):
    """Return show notes written in Markdown as sanitised HTML.

    Raw HTML in the notes is shown as text, never run; links keep only http,
    https and mailto addresses and get `rel="nofollow noopener"`.
    """
    html = _markdown.render(markdown or "")
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener",
        ).strip()
    )
