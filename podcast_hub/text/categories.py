"""Apple Podcasts' categories, and the nearest one to a name that is not one.

A show's category is written "Parent" or "Parent > Child" with Apple's exact
names. Apple files a show under a name it does not list nowhere; Spotify and
the Podcast Index read the same names. The list is Apple's since 2019
(podcasters.apple.com, "Apple Podcasts categories"); the names it replaced
("Games & Hobbies", "Science & Medicine", ...) map to their successors.
"""

import difflib
import re

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": (
        "Books",
        "Design",
        "Fashion & Beauty",
        "Food",
        "Performing Arts",
        "Visual Arts",
    ),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": (
        "Education for Kids",
        "Parenting",
        "Pets & Animals",
        "Stories for Kids",
    ),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": (
        "After Shows",
        "Film History",
        "Film Interviews",
        "Film Reviews",
        "TV Reviews",
    ),
}

# Apple's names before 2019, and what took their place.
RETIRED = {
    "Games & Hobbies": "Leisure > Games",
    "Games & Hobbies > Video Games": "Leisure > Video Games",
    "Games & Hobbies > Automotive": "Leisure > Automotive",
    "Games & Hobbies > Aviation": "Leisure > Aviation",
    "Games & Hobbies > Hobbies": "Leisure > Hobbies",
    "Games & Hobbies > Other Games": "Leisure > Games",
    "Arts > Literature": "Arts > Books",
    "Business > Business News": "News > Business News",
    "Business > Management & Marketing": "Business > Marketing",
    "Business > Shopping": "Leisure",
    "Education > Educational Technology": "Education",
    "Education > Higher Education": "Education > Courses",
    "Education > K-12": "Kids & Family > Education for Kids",
    "Education > Language Courses": "Education > Language Learning",
    "Education > Training": "Education > How To",
    "Government & Organizations": "Government",
    "Government & Organizations > Non-Profit": "Business > Non-Profit",
    "Health": "Health & Fitness",
    "Health > Alternative Health": "Health & Fitness > Alternative Health",
    "Health > Fitness & Nutrition": "Health & Fitness > Fitness",
    "Health > Self-Help": "Education > Self-Improvement",
    "Health > Sexuality": "Health & Fitness > Sexuality",
    "News & Politics": "News",
    "Religion & Spirituality > Other": "Religion & Spirituality > Religion",
    "Science & Medicine": "Science",
    "Science & Medicine > Medicine": "Health & Fitness > Medicine",
    "Science & Medicine > Natural Sciences": "Science > Natural Sciences",
    "Science & Medicine > Social Sciences": "Science > Social Sciences",
    "Society & Culture > History": "History",
    "Sports & Recreation": "Sports",
    "Sports & Recreation > Outdoor": "Sports > Wilderness",
    "Technology > Tech News": "News > Tech News",
    "Technology > Gadgets": "Technology",
    "Technology > Podcasting": "Technology",
    "Technology > Software How-To": "Technology",
}

_SEPARATOR = re.compile(r"\s*[>/›:]\s*")
# Every name a show may carry: "Arts", "Arts > Books", ...
NAMES: tuple[str, ...] = tuple(
    name
    for parent, children in APPLE_CATEGORIES.items()
    for name in (parent, *(f"{parent} > {child}" for child in children))
)


def _key(text: str) -> str:
    """Return `text` folded for comparison: "arts > books", "tv & film"."""
    parts = _SEPARATOR.split(text.strip())
    return " > ".join(" ".join(part.split()).casefold() for part in parts if part)


_BY_KEY = {_key(name): name for name in NAMES}
_RETIRED_BY_KEY = {_key(old): new for old, new in RETIRED.items()}
_RETIRED_BY_KEY |= {
    _key(old.partition(" > ")[2]): new
    for old, new in RETIRED.items()
    if " > " in old and _key(old.partition(" > ")[2]) not in _BY_KEY
}
# A subcategory named alone ("Books") belongs to one parent.
_BY_CHILD = {
    _key(child): f"{parent} > {child}"
    for parent, children in APPLE_CATEGORIES.items()
    for child in children
    if _key(child) not in _BY_KEY
}


def is_apple(category: str | None) -> bool:
    """Tell whether `category` is one of Apple's, spelled exactly as Apple does."""
    return category in _BY_KEY.values()


def nearest(category: str | None) -> str | None:
    """Return Apple's category nearest to `category`, or None when none is near.

    The same name in other case or spacing, the successor of a retired name
    ("Games & Hobbies" → "Leisure > Games"), a category the text starts
    ("Tech" → "Technology"), a subcategory named alone ("Books" →
    "Arts > Books"), else the closest spelling. An Apple category is its own
    nearest.
    """
    key = _key(category or "")
    if not key:
        return None
    found = _BY_KEY.get(key) or _RETIRED_BY_KEY.get(key) or _BY_CHILD.get(key)
    if found:
        return found
    parent_key, _, child_key = key.partition(" > ")
    if len(key) >= 3:
        for names in (APPLE_CATEGORIES, NAMES):
            starting = [name for name in names if _key(name).startswith(key)]
            if starting:
                return starting[0]
        starting_child = [n for k, n in _BY_CHILD.items() if k.startswith(key)]
        if starting_child:
            return starting_child[0]
    close = difflib.get_close_matches(key, list(_BY_KEY), n=1, cutoff=0.75)
    if close:
        return _BY_KEY[close[0]]
    parent = _BY_KEY.get(parent_key) or _RETIRED_BY_KEY.get(parent_key)
    if parent and child_key:
        return nearest(parent.partition(" > ")[0]) if " > " not in parent else parent
    close = difflib.get_close_matches(
        key, [*_BY_KEY, *_BY_CHILD, *_RETIRED_BY_KEY], n=1, cutoff=0.7
    )
    if close:
        match = close[0]
        return _BY_KEY.get(match) or _BY_CHILD.get(match) or _RETIRED_BY_KEY[match]
    return None
