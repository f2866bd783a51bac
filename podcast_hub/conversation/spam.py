"""A simple spam scorer for new listener comments: what looks wrong, and how much.

Each signal gives a reason the host reads on the comment's card and points;
`moderation` holds a comment with any signal and sends it straight to spam from
SPAM_SCORE points on. The signals: a link from a first-time commenter (or many
links from anyone), shouting in capitals, the same words as a comment on
another episode, and a flood of comments from one listener.
"""

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import Comment, CommentStatus
from ..text import names

# From this many points a comment goes straight to spam.
SPAM_SCORE = 3
# Links in one comment that are spam from a first-time commenter, held from anyone.
MANY_LINKS = 3
# Shouting: at least this many letters, and this share of them capitals.
CAPS_LETTERS = 12
CAPS_SHARE = 0.7
# Copies: words this long or longer count when seen on another episode.
COPY_MIN_LENGTH = 20
COPY_WINDOW = timedelta(days=30)
# Flood: comments by one listener within FLOOD_WINDOW before this one.
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_HOLD = 4
FLOOD_SPAM = 8

# Top-level domains that end a bare address ("name.com"); not the ones that are
# common words ("it", "in", "me", "us"), so that "loved it.It" is no link.
_TLDS = (
    "com|net|org|info|biz|io|co|ly|xyz|top|site|online|shop|store|club|ru|cn|tk|"
    "ml|ga|cf|gq|pw|cc|ws|app|dev|link|click|live|tv|uk|de|fr|nl|pl|eu|ca|au"
)
_LINK = re.compile(
    r"(?:\b(?:https?|ftp)://\S+|\bwww\.\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:" + _TLDS + r")\b(?![.-]?[a-z0-9])(?:/\S*)?)",
    re.IGNORECASE,
)


@dataclass
class Score:
    """What the scorer found: points and the reasons for the host, in order."""

    points: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        self.points += points
        self.reasons.append(reason)


def count_links(body: str) -> int:
    """Return how many web addresses `body` carries (`http://`, `www.`, `name.com`)."""
    return len(_LINK.findall(names.normal(body)))


def is_shouting(body: str) -> bool:
    """Tell whether `body` is written mostly in capitals (with enough letters)."""
    letters = [c for c in names.normal(body) if c.isalpha() and c.lower() != c.upper()]
    if len(letters) < CAPS_LETTERS:
        return False
    return sum(c.isupper() for c in letters) >= CAPS_SHARE * len(letters)


def score(
    *,
    body: str,
    episode_id: int | None,
    email: str | None,
    author: str | None,
    own_ids: Mapping[int, datetime],
    known: bool,
    fresh: bool = True,
) -> Score:
    """Score a listener's words on episode `episode_id`.

    `known`: the listener already has a published comment. `fresh`: a new
    comment (an edit is not a new post: no flood or copy check).
    """
    result = Score()
    links = count_links(body)
    if links >= MANY_LINKS and not known:
        result.add(SPAM_SCORE, f"first comment with {links} links")
    elif links >= MANY_LINKS:
        result.add(2, f"{links} links")
    elif links and not known:
        result.add(1, "first comment with a link" if fresh else "a link")
    if is_shouting(body):
        result.add(1, "written in capitals")
    if fresh and episode_id is not None:
        copies, recent = _counts(
            _copies(body, episode_id),
            _recent_posts(email=email, author=author, own_ids=own_ids),
        )
        if copies:
            where = "another episode" if copies == 1 else f"{copies} other episodes"
            result.add(min(copies, 2), f"same words as a comment on {where}")
        if recent >= FLOOD_SPAM:
            result.add(SPAM_SCORE, f"{recent + 1} comments in 10 minutes")
        elif recent >= FLOOD_HOLD:
            result.add(1, f"{recent + 1} comments in 10 minutes")
    return result


def _counts(*queries: sa.Select[int] | None) -> list[int]:
    """Return the count each query gives, 0 for None: one statement for all,
    as it runs for every post."""
    asked = [query.scalar_subquery() for query in queries if query is not None]
    found = iter(db.session.execute(sa.select(*asked)).one() if asked else ())
    return [0 if query is None else next(found) or 0 for query in queries]


# The same recent comments are read for each new one: their keys are kept.
@functools.lru_cache(maxsize=4096)
def _key(body: str) -> str:
    return " ".join(names.normal(body).casefold().split())


def body_key(body: str) -> str:
    """Return the digest of `body` as copies are compared: what looks alike
    (`names.normal`), in any case, whatever the spaces. Stored with each
    comment (`Comment.body_key`)."""
    return hashlib.sha256(_key(body).encode()).hexdigest()


def _copies(body: str, episode_id: int) -> sa.Select[int] | None:
    """Return the count of the other episodes a listener recently wrote these
    words on, as a query; None for words too short to count."""
    if len(_key(body)) < COPY_MIN_LENGTH:
        return None
    since = clock.now() - COPY_WINDOW
    query = sa.select(sa.func.count(sa.distinct(Comment.episode_id))).where(
        Comment.body_key == body_key(body),
        Comment.episode_id != episode_id,
        Comment.is_host.is_(False),
        Comment.created_at >= since,
        Comment.status != CommentStatus.DELETED,
    )
    return query


def _recent_posts(
    *, email: str | None, author: str | None, own_ids: Mapping[int, datetime]
) -> sa.Select[int] | None:
    """Return the count of the comments this listener posted within
    FLOOD_WINDOW, as a query; None when nothing names the listener.

    The listener is known by their e-mail address, this browser's tokens, or
    their name: a flood under one name is a flood whoever sends it.
    """
    proofs = [Comment.is_claimed_by(own_ids)] if own_ids else []
    if email and email.strip():
        proofs.append(sa.func.lower(Comment.email) == email.strip().lower())
    if author and author.strip():
        proofs.append(Comment.author == author)
    if not proofs:
        return None
    since = clock.now() - FLOOD_WINDOW
    # One query a proof, each on its own index (an OR of them reads every
    # comment of the window), their ids united so none counts twice.
    found = sa.union(
        *(
            sa.select(Comment.id).where(
                proof, Comment.is_host.is_(False), Comment.created_at >= since
            )
            for proof in proofs
        )
    ).subquery()
    return sa.select(sa.func.count()).select_from(found)
