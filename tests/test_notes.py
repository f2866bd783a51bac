"""Show notes: Markdown in, sanitised HTML out."""

import pytest

from podcast_hub import notes


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
