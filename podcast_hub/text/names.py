"""Names and words as people see them: stored normalised, compared by their look.

A name is kept as it shows: in NFKC, without format characters (bidi controls,
zero-width spaces), with single spaces. Two spellings look alike when their
caseless UTS #39 skeletons agree: "Dаna" with a Cyrillic "а", "Ｄａｎａ" and
"DANA" are all "Dana". The only module that imports confusable_homoglyphs,
whose data is Unicode's confusables.txt.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs import confusables

from . import plain

# Default_Ignorable_Code_Point: shown as nothing. Most are format characters
# (Cf), which `normal` removes already; the others go before comparing.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# A right-to-left override shows what follows reversed, up to its pop (or the
# end of the line): "\u202eseyeR anaD" shows as "Dana Reyes".
_OVERRIDE = re.compile("\u202e([^\u202c\n]*)\u202c?")
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
# confusable_homoglyphs marks right-to-left glyphs with LRM for display.
_DISPLAY_MARKS = str.maketrans("", "", "\u200e\u200f")


# A post's name and words are made normal several times over (the form, the
# name check, each of the spam filter's tests): the latest are kept.
@functools.lru_cache(maxsize=128)
def normal(value: str) -> str:
    """Return a name as it shows: NFKC, no format characters, single spaces.

    Left-to-right text under a right-to-left override is stored the way round
    it showed, so "\u202eseyeR anaD" becomes "Dana Reyes".
    """
    value = _OVERRIDE.sub(_as_shown, plain.xml_safe(value))
    value = unicodedata.normalize("NFKC", value)
    value = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return " ".join(value.split())


def _as_shown(override: re.Match[str]) -> str:
    run = override.group(1)
    if any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in run):
        return run
    return run[::-1]


def look(value: str) -> str:
    """Return the caseless skeleton of `value`: the same for its lookalikes."""
    return _look(value, fold=True)


# A listener's name is looked at twice a post (beside the hosts' names, then
# for the host mark): the latest are kept.
@functools.lru_cache(maxsize=256)
def looks(value: str) -> frozenset[str]:
    """Return the caseless skeletons of `value`: every way it may look.

    One for `value` as `normal` gives it and one for its case folding, so that
    "AIi" looks like "Ali" as much as "ALI" does.
    """
    return frozenset({_look(value, fold=False), _look(value, fold=True)})


def _look(value: str, *, fold: bool) -> str:
    plain = _IGNORABLE.sub("", normal(value))
    if fold:
        plain = normal(plain.casefold())
    return " ".join(skeleton(plain).casefold().split())


def look_alike(one: str, other: str) -> bool:
    """Tell whether two names can look the same.

    Spaces do not count: "Dana Reyes" spelt with a zero-width space shows as
    "DanaReyes", close enough.
    """
    return not _spaceless(one).isdisjoint(_spaceless(other))


# Names come back at every post (the hosts' display names) and blocked words
# too: their skeletons are kept. Names are short (80 characters), so are words.
@functools.lru_cache(maxsize=4096)
def _spaceless(value: str) -> frozenset[str]:
    return frozenset(shown.replace(" ", "") for shown in looks(value))


def mentions(value: str, words: Iterable[str]) -> bool:
    """Tell whether `value` can look as if it held one of `words`, each whole.

    A word is whole when no letter or digit touches it: "spam" is in "Spam!"
    and "ѕраm" (Cyrillic), not in "spammy"; "(host)" is in "Dana(host)".
    """
    shown = looks(value)
    return any(
        pattern.search(text) for pattern in _word_patterns(words) for text in shown
    )


def _word_patterns(words: Iterable[str]) -> list[re.Pattern[str]]:
    return [pattern for word in words for pattern in _patterns(word)]


@functools.lru_cache(maxsize=4096)
def _patterns(word: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for shown in looks(word):
        if not shown:
            continue
        before = r"(?<!\w)" if shown[0].isalnum() or shown[0] == "_" else ""
        after = r"(?!\w)" if shown[-1].isalnum() or shown[-1] == "_" else ""
        patterns.append(re.compile(before + re.escape(shown) + after))
    return tuple(patterns)


def skeleton(value: str) -> str:
    """Return the UTS #39 skeleton of `value`: each lookalike as its prototype."""
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


@functools.cache
def _prototypes() -> dict[int, str]:
    """Return {code point: prototype} from the confusables data.

    The data lists, for a prototype, the characters that look like it and,
    for each of those, the prototype alone. A pair that only lists each other
    is one class too; its smaller character stands for it.
    """
    data = {
        char.translate(_DISPLAY_MARKS): [
            glyph["c"].translate(_DISPLAY_MARKS) for glyph in glyphs
        ]
        for char, glyphs in confusables.confusables_data.items()
    }
    table = {}
    for char, glyphs in data.items():
        if len(char) != 1 or len(glyphs) != 1:
            continue
        (prototype,) = glyphs
        pair = len(prototype) == 1 and len(data.get(prototype, ())) == 1
        if not pair or prototype < char:
            table[ord(char)] = prototype
    return table
