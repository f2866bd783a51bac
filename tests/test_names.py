"""Names and words as they look: normalised at the door, compared by skeleton."""

import pytest

from podcast_hub.text import names

HOST = "Dana Reyes"
# Spellings of the host's name that show (nearly) as the host's name.
IMPERSONATIONS = {
    "exact": "Dana Reyes",
    "case": "dana REYES",
    "extra spaces": "  Dana   Reyes ",
    "no-break space": "Dana\u00a0Reyes",
    "zero-width space": "Dana\u200bReyes",
    "zero-width space inside": "Da\u200bna Re\u200byes",
    "word joiner": "Dana\u2060 Reyes",
    "soft hyphen": "Da\u00adna Reyes",
    "right-to-left override": "\u202eseyeR anaD",
    "override after a word": "Dana \u202eseyeR\u202c",
    "Cyrillic": "D\u0430n\u0430 R\u0435\u0443\u0435s",
    "Greek": "D\u03b1n\u03b1 Reyes",
    "fullwidth": "\uff24\uff41\uff4e\uff41 \uff32\uff45\uff59\uff45\uff53",
    "mathematical bold": "\U0001d403\U0001d41a\U0001d427\U0001d41a Reyes",
    "Hangul filler": "Dana\u3164Reyes",
}
OTHERS = ["Dan Reyes", "Dana Reyes Jr", "Dana Réyes", "Lee", "Reyes Dana", "Dana"]


@pytest.mark.parametrize("spelling", IMPERSONATIONS.values(), ids=IMPERSONATIONS)
def test_each_spelling_of_a_name_looks_like_it(spelling):
    assert names.look_alike(spelling, HOST)
    assert names.look_alike(HOST, spelling)


@pytest.mark.parametrize("name", OTHERS)
def test_other_names_do_not_look_like_it(name):
    assert not names.look_alike(name, HOST)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Le\u03bf Park", "Leo Park"),  # Greek omicron
        ("AIi", "Ali"),  # capital I for l
        ("D0ra", "Dora"),  # zero for o
        ("Mia", "rnia"),  # m as r + n
    ],
)
def test_lookalike_letters_of_any_script_are_one(one, other):
    assert names.look_alike(one, other)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Lee   Listener ", "Lee Listener"),
        ("Lee\u200b Listener", "Lee Listener"),
        ("\u202eeeL\u202c", "Lee"),  # shown reversed
        ("\u202eLee", "eeL"),
        ("\u202e\u05d3\u05e0\u05d4", "\u05d3\u05e0\u05d4"),  # Hebrew: shown as is
        ("\uff2c\uff45\uff45", "Lee"),  # fullwidth
        ("Lee\x01\x1b\x85\uffff", "Lee"),
        ("Lee\nListener", "Lee Listener"),
        ("Zoë 東", "Zoë 東"),
        ("Zoe\u0308", "Zoë"),  # NFKC composes
    ],
)
def test_normal_is_how_a_name_is_stored(typed, stored):
    assert names.normal(typed) == stored


@pytest.mark.parametrize(
    "text",
    [
        "buy spam now",
        "SPAM!",
        "sp\u200bam",  # zero-width space
        "sp\u00adam",  # soft hyphen
        "\u0455\u0440\u0430m",  # Cyrillic s, p, a
        "\uff53\uff50\uff41\uff4d",  # fullwidth
        "\u202emaps",  # shows as "spam"
        "spam\nand more",
    ],
)
def test_mentions_finds_a_word_in_any_spelling(text):
    assert names.mentions(text, ["spam"])


@pytest.mark.parametrize("text", ["spammy", "a spa menu", "", "sp am"])
def test_mentions_finds_whole_words_only(text):
    assert not names.mentions(text, ["spam"])


def test_mentions_a_word_that_starts_or_ends_with_punctuation():
    assert names.mentions("Dana(h\u043est)", ["(host)"])
    assert not names.mentions("Dana (hosted)", ["(host)"])


def test_skeleton_is_the_same_for_lookalikes_and_differs_otherwise():
    assert names.skeleton("p\u0430yp\u0430l") == names.skeleton("paypal")
    assert names.skeleton("paypal") != names.skeleton("paypa1x")
