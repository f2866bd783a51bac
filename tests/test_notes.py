"""Show notes: Markdown in, sanitised HTML out, moments as seek links."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from podcast_hub.text import markdown as notes

from .helpers import make_episode, make_show

# What show notes may ever contain: these elements, with these attributes.
ALLOWED = {
    "a": {"href", "title", "rel", "data-seek"},
    "ol": {"start"},
    **{
        tag: set()
        for tag in (
            "blockquote br code em h2 h3 h4 h5 h6 hr li p pre s strong "
            "table tbody td th thead tr ul"
        ).split()
    },
}
SAFE_HREF = re.compile(r"(?:https?://|mailto:|\?t=[0-9]+$)", re.IGNORECASE)

BREAKOUTS = [
    '[x](https://e.com "see></a>0:01 <img src=x onerror=alert(1)>")',
    "[x](https://e.com 'see></a>0:01 <img src=x onerror=alert(1)>')",
    '[x](https://e.com "see\\"></a>0:01 <img src=x onerror=alert(1)>")',
    "[x](https://e.com (see></a>0:01 <img src=x onerror=alert(1)>))",
    '[0:01 "></a><img src=x onerror=alert(1)>](https://e.com)',
    '[x](<https://e.com/"></a>0:01<img src=x onerror=alert(1)>>)',
    '<https://e.com/0:01"><img src=x onerror=alert(1)>>',
    '<https://e.com/?a="0:01"onmouseover=alert(1)>',
    '<a href="https://e.org" title="0:01>"><img src=x onerror=alert(1)></a>',
    '<div title="></a>0:01 <img src=x onerror=alert(1)>">\n\n0:02\n\n</div>',
    "<!-- 0:01 --><script>alert(1)</script>",
    '`0:01"><img src=x onerror=alert(1)>`',
    "```\n</code></pre>0:01<img src=x onerror=alert(1)>\n```",
    '![0:01 "><img src=x onerror=alert(1)>](https://e.com/x.png "0:02>")',
]


class _Elements(HTMLParser):
    """Every element in an HTML fragment, as (tag, attributes), in order.

    With `inside`, only those within the first element that has that class.
    """

    def __init__(self, inside=None):
        super().__init__(convert_charrefs=True)
        self.inside = inside
        self.depth = 0 if inside else 1
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.found.append((tag, attributes))
            if self.inside and tag == "section":
                self.depth += 1
        elif tag == "section" and self.inside in (attributes.get("class") or ""):
            self.depth = 1

    def handle_startendtag(self, tag, attrs):
        if self.depth:
            self.found.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if self.inside and self.depth and tag == "section":
            self.depth -= 1


def elements(html, inside=None):
    parser = _Elements(inside)
    parser.feed(str(html))
    parser.close()
    return parser.found


def assert_only_allowed(found):
    for tag, attributes in found:
        assert tag in ALLOWED, (tag, attributes)
        assert set(attributes) <= ALLOWED[tag], (tag, attributes)
        if "href" in attributes:
            assert SAFE_HREF.match(attributes["href"]), attributes
        if "data-seek" in attributes:
            assert attributes["href"] == f"?t={attributes['data-seek']}", attributes
            assert attributes["data-seek"].isdigit(), attributes
        if "rel" in attributes:
            assert attributes["rel"] == "nofollow noopener", attributes


def seek_links(found):
    return [a["data-seek"] for tag, a in found if tag == "a" and "data-seek" in a]


def test_markdown_becomes_html_with_headings_below_the_title():
    html = notes.render("# Guests\n\n*Ana* and **Bo**\n\n1. one\n2. two")
    assert html == (
        "<h2>Guests</h2>\n<p><em>Ana</em> and <strong>Bo</strong></p>\n"
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"
    )


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[x](javascript:alert(1))", "href"),
        ('<a href="https://e.org" onclick="x()">a</a>', "<a"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", "href"),
    ],
)
def test_dangerous_markup_never_comes_through(markdown, forbidden):
    assert forbidden not in notes.render(markdown)


def test_links_are_kept_and_marked_nofollow():
    html = notes.render("[site](https://example.org) <https://e.org/a?b=1&c=2>")
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in html
    assert 'href="https://e.org/a?b=1&amp;c=2"' in html


def test_empty_notes_are_empty():
    assert notes.render("") == "" and notes.render(None) == ""


@pytest.mark.parametrize("markdown", BREAKOUTS)
def test_nothing_breaks_out_of_an_attribute_to_make_markup(markdown):
    found = elements(notes.render(markdown, duration_s=3600))
    assert_only_allowed(found)


@pytest.mark.parametrize("markdown", BREAKOUTS)
def test_the_episode_page_shows_notes_with_only_allowed_markup(app, client, markdown):
    make_show()
    make_episode(slug="ep", duration_s=3600, description=markdown)
    page = client.get("/episodes/ep").get_data(as_text=True)
    found = elements(page, inside="notes")
    assert found, "the notes section is on the page"
    assert_only_allowed(found)


def test_moments_become_seek_links_outside_links_and_code():
    markdown = (
        "At 0:10 [see 0:20](https://x.org/) `0:30` <https://e.org/0:40>\n\n"
        "    0:50 in a code block\n\n"
        "| when | what |\n|---|---|\n| 1:00 | *at 1:05* |\n\n"
        "[**1:10**](https://x.org/) and 9:99 and 2:00"
    )
    found = elements(notes.render(markdown, duration_s=100))
    assert_only_allowed(found)
    assert seek_links(found) == ["10", "60", "65"]
    assert '<a href="?t=10" data-seek="10">0:10</a>' in notes.render(markdown, 100), (
        "the contract's timestamp link, exactly"
    )


def test_a_moment_beyond_the_duration_stays_text():
    html = notes.render("Listen at 9:59, not at 10:01.", duration_s=600)
    assert seek_links(elements(html)) == ["599"]
    assert "not at 10:01.</p>" in html


def test_without_a_duration_no_moment_is_linked():
    assert seek_links(elements(notes.render("At 0:10 and 1:00:00"))) == []


# What podcast apps may get (Apple, PSP-1): these elements, links by href only.
APP_ALLOWED = {"p", "ol", "ul", "li", "a", "b", "i", "strong", "em", "br"}
PAGE = "https://podcast.example.org/episodes/lighthouse"


def test_notes_for_apps_keep_only_the_tags_apple_allows():
    markdown = (
        "## Guests\n\n*Ana* and **Bo** at 12:34, [site](https://e.org).\n\n"
        "1. one\n2. two\n\n> quoted\n\n```\ncode <b>\nline\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |"
    )
    html = notes.for_apps(markdown, PAGE, duration_s=3600)
    assert html == (
        "<p><strong>Guests</strong></p>\n"
        "<p><em>Ana</em> and <strong>Bo</strong> at "
        f'<a href="{PAGE}?t=754">12:34</a>, <a href="https://e.org">site</a>.</p>\n'
        "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"
        "<p>quoted</p>\n"
        "<p>code &lt;\u2060b&gt;<br>line</p>\n"
        "<p>a · b</p><p>1 · 2</p>"
    )


@pytest.mark.parametrize("markdown", BREAKOUTS)
def test_nothing_breaks_out_of_notes_for_apps_even_decoded_twice(markdown):
    """podcast-partytime decodes a feed's text a second time: even then no
    element but the allowed ones, and no link but the web's, ever appears."""
    import html as entities

    once = notes.for_apps(markdown, PAGE, duration_s=60)
    for html in (once, entities.unescape(once)):
        for tag, attributes in elements(html):
            assert tag in APP_ALLOWED, (tag, html)
            assert set(attributes) <= {"href"}, (tag, attributes)
            if "href" in attributes:
                assert attributes["href"].startswith(("https://", PAGE)), attributes
    assert "]]>" not in once


def test_notes_as_text_have_no_markup_and_keep_what_was_typed():
    text = notes.as_text(
        "## Notes\n\nA **lighthouse** & <voices>, a [storm](https://e.org).\n\n"
        "- one\n- two"
    )
    assert text.replace("\u2060", "") == (
        "Notes\n\nA lighthouse & <voices>, a storm.\n\n- one\n- two"
    )
    assert elements(text) == []


def test_a_subtitle_is_the_first_paragraph_cut_on_a_word():
    assert notes.first_sentence("Short one.\n\nMore.") == "Short one."
    cut = notes.first_sentence("word " * 100, limit=30)
    assert cut == "word word word word word word…"
    assert len(cut) <= 30


# Notes of every kind the parser meets: rules of each block and inline kind.
VARIED = [
    *BREAKOUTS,
    "# Guests\n\n*Ana* and **Bo** at 12:34\n\n1. one\n2. two",
    "## Links\n\n- [site](https://e.org) at 0:10\n- <https://e.org/a?b=1>\n- ~~gone~~",
    "| when | what |\n|---|---|\n| 1:00 | *storm* |\n| 2:00 | `code` |",
    "> A quote at 3:00\n>\n> > nested, **bold**\n\n---\n\nAfter the rule.",
    "```python\nprint('0:10')\n```\n\n    indented 0:20\n\nText 0:30.",
    "Setext heading\n==============\n\nLine one  \nline two\\\nthree",
    '1) first\n2) second\n   - inner *em*\n   - inner [a](https://e.org "t")',
    "<div>raw 0:05</div>\n\n&amp; &copy; &#35; \\*not em\\* [ref][r]\n\n[r]: https://e.org",
    "Plain words " * 40,
    "",
]

# One process, as a threaded worker is just after it starts: no note rendered
# yet, THREADS threads rendering at once. markdown-it compiles a parser's rules
# on first use, and a thread that finds them half compiled fails ("none of the
# block rules matched") or skips rules; here each compile pauses as it starts
# (as on a loaded machine), so that threads sharing a parser meet inside it
# every time rather than now and then. Prints each thread's (index, HTML) pairs.
_RENDER_AT_ONCE = """
import json, sys, threading, time
from markdown_it.ruler import Ruler

def _compiled(ruler):
    return ruler.__dict__.get("_compiled")

def _compiling(ruler, rules):
    ruler.__dict__["_compiled"] = rules
    if rules == {}:
        time.sleep(0.02)

Ruler.__cache__ = property(_compiled, _compiling)

from podcast_hub.text import markdown as notes
varied, threads, rounds = json.load(sys.stdin)
start = threading.Barrier(threads)
done = [None] * threads
def work(number):
    start.wait()
    rendered = []
    for turn in range(rounds):
        index = (number * 7 + turn) % len(varied)
        try:
            html = str(notes.render(varied[index], duration_s=3600))
        except Exception as error:
            html = f"{type(error).__name__}: {error}"
        rendered.append([index, html])
    done[number] = rendered
workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
json.dump(done, sys.stdout)
"""


def test_notes_rendered_by_many_threads_at_once_are_what_one_thread_renders():
    """markdown-it's parser is not safe to share between threads (its rules are
    compiled on first use): 8 threads rendering 200 notes each from the start
    of a fresh process all get what a single thread gets."""
    threads, rounds = 8, 200
    expected = [str(notes.render(markdown, duration_s=3600)) for markdown in VARIED]
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_AT_ONCE],
        input=json.dumps([VARIED, threads, rounds]),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rendered = json.loads(done.stdout)
    assert [len(r) for r in rendered] == [rounds] * threads
    wrong = [
        (index, html)
        for by_one_thread in rendered
        for index, html in by_one_thread
        if html != expected[index]
    ]
    assert wrong == [], f"{len(wrong)} of {threads * rounds} differ: {wrong[:3]}"
