"""Plain text into safe HTML: paragraphs, moments as seek links, web addresses."""

from html.parser import HTMLParser

import pytest
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from podcast_hub.text import plain


def seek(seconds, written):
    return f'<a href="?t={seconds}" data-seek="{seconds}">{written}</a>'


def web(url):
    return f'<a href="{url}" rel="nofollow ugc noopener">{url}</a>'


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("at 12:34 the storm", f"<p>at {seek(754, '12:34')} the storm</p>"),
        ("0:12:03.", f"<p>{seek(723, '0:12:03')}.</p>"),
        ("0:05, then 00:06", f"<p>{seek(5, '0:05')}, then {seek(6, '00:06')}</p>"),
        ("(29:59)", f"<p>({seek(1799, '29:59')})</p>"),
        ("30:00 exactly", f"<p>{seek(1800, '30:00')} exactly</p>"),
    ],
)
def test_moments_within_the_episode_become_seek_links(written, expected):
    assert plain.linkify(written, duration_s=1800) == expected


@pytest.mark.parametrize(
    "written",
    [
        "30:01 is past the end",
        "1:00:00 is far past it",
        "12:60 is no time",
        "1:60:00 neither",
        "10:30pm is a clock",
        "v1.12:34 is a version",
        "12:345 is too long",
        "1:02:03:04 has too many fields",
        "a ratio of 3:2",
        "754 alone is only a number",
    ],
)
def test_only_real_moments_within_the_duration_are_linked(written):
    assert "data-seek" not in plain.linkify(written, duration_s=1800)


def test_without_a_duration_no_moment_is_linked():
    assert "data-seek" not in plain.linkify("at 0:10", duration_s=None)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "see https://example.org/a?b=1&c=2",
            f"see {web('https://example.org/a?b=1&amp;c=2')}",
        ),
        ("(https://example.org/x).", f"({web('https://example.org/x')})."),
        (
            "https://en.wikipedia.org/wiki/Fresnel_(lens)!",
            f"{web('https://en.wikipedia.org/wiki/Fresnel_(lens)')}!",
        ),
        ("HTTP://EXAMPLE.ORG", web("HTTP://EXAMPLE.ORG")),
        (
            "https://example.org/t=12:34 is one link",
            f"{web('https://example.org/t=12:34')} is one link",
        ),
    ],
)
def test_web_addresses_become_nofollow_ugc_links(written, expected):
    assert plain.linkify(written, duration_s=1800) == f"<p>{expected}</p>"


@pytest.mark.parametrize(
    "written",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org", "https://"],
)
def test_other_schemes_stay_text(written):
    assert "<a" not in plain.linkify(written, duration_s=1800)


def test_paragraphs_and_line_breaks_are_kept():
    html = plain.linkify("one\ntwo\n\n\nthree at 0:03", duration_s=10)
    assert html == f"<p>one<br>two</p><p>three at {seek(3, '0:03')}</p>"


def test_linkify_returns_markup():
    assert isinstance(plain.linkify("x", 1), Markup)


HOSTILE = [
    "<script>alert(1)</script>",
    "</p><script>alert(1)</script><p>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(document.cookie)",
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/<script>alert(1)</script>",
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "&lt;script&gt; already escaped &amp;",
    "{{ 7 * 7 }} {% raw %}",
    "\u202egnp.exe\u202c and \u2066isolate\u2069",
    "x" * 5000,
    "12:34<script>alert(1)</script>",
]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_in(html):
    collector = TagCollector()
    collector.feed(str(html))
    return collector.tags


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_only_ever_makes_our_own_tags(hostile):
    html = plain.linkify(hostile, duration_s=1800)
    for tag, attrs in tags_in(html):
        assert tag in {"p", "br", "a"}, html
        if tag == "a":
            assert set(attrs) <= {"href", "rel", "data-seek"}
            href = attrs["href"]
            assert href.startswith(("?t=", "https://", "http://", "HTTP")), html
            assert '"' not in href and "<" not in href
    assert "<script" not in html


# Each character XML 1.0 cannot hold, or that is a control: one of them in a
# comment or a tag used to take a feed down.
UNWANTED = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f"]
UNWANTED += ["\ud800", "\udfff", "\ufffe", "\uffff"]
KEPT = ["\t", "\n", "\r", " ", "~", "\xa0", "é", "\ud7ff", "\ue000", "\ufffd"]
KEPT += ["\U0001f600", "\U0010fffd", "\u2028", "\u200b"]


@pytest.mark.parametrize("char", UNWANTED, ids=lambda char: f"U+{ord(char):04X}")
def test_xml_safe_removes_what_xml_cannot_hold_and_controls(char):
    assert plain.xml_safe(f"a{char}b{char}") == "ab"


@pytest.mark.parametrize("char", KEPT, ids=lambda char: f"U+{ord(char):04X}")
def test_xml_safe_keeps_every_other_character(char):
    assert plain.xml_safe(f"a{char}b") == f"a{char}b"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "one",
        " one \n two \n\n\n three ",
        "a <b> & 'c' \"d\"\r\n\r\nnext\t\n \nlast\n",
        "<script>alert(1)</script>\n\n  \n\n&amp;",
        "  one line <i>only</i> & 'that'\t ",
        " \t ",
        "\r",
        "carriage\rreturn",
    ],
)
def test_paragraphs_give_the_markup_every_block_renderer_gives(text):
    """`paragraphs` joins plain strings for speed; its markup is the one the
    shared block renderer (used by `linkify`) makes with plain escaping."""
    made = plain.paragraphs(text)
    assert isinstance(made, Markup)
    assert made == plain._blocks(text, markupsafe_escape)
