"""Apple's category list, and the nearest category to a name that is not one."""

import pytest

from podcast_hub.text import categories


@pytest.mark.parametrize(
    "name",
    ["Technology", "Arts > Books", "Leisure > Games", "TV & Film", "True Crime"],
)
def test_apples_names_are_apples(name):
    assert categories.is_apple(name)
    assert categories.nearest(name) == name


@pytest.mark.parametrize(
    ("written", "suggested"),
    [
        ("Tech", "Technology"),
        ("Games & Hobbies", "Leisure > Games"),
        ("Games & Hobbies > Video Games", "Leisure > Video Games"),
        ("technology", "Technology"),
        ("Arts>Books", "Arts > Books"),
        ("Books", "Arts > Books"),
        ("Comedy > Standup", "Comedy > Stand-Up"),
        ("Science & Medicine", "Science"),
        ("News & Politics", "News"),
        ("Podcasting", "Technology"),
        ("TV and Film", "TV & Film"),
        ("Sprots", "Sports"),
        ("Arts > Nonsense", "Arts"),
    ],
)
def test_other_names_get_the_nearest_of_apples(written, suggested):
    assert not categories.is_apple(written)
    assert categories.nearest(written) == suggested


@pytest.mark.parametrize("written", ["", None, "xyzzy"])
def test_nothing_near_is_none(written):
    assert categories.nearest(written) is None


def test_every_suggestion_is_one_of_apples():
    for successor in categories.RETIRED.values():
        assert categories.is_apple(successor), successor
