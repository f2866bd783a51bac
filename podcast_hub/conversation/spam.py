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
from typing import Any

import sqlalchemy as sa

from .. import clock
from ..extensions import db
from ..models import Comment, CommentStatus, claim_pairs, claimed
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
            body=body,
            episode_id=episode_id,
            email=email,
            author=author,
            own_ids=own_ids,
        )
        if copies:
            where = "another episode" if copies == 1 else f"{copies} other episodes"
            result.add(min(copies, 2), f"same words as a comment on {where}")
        if recent >= FLOOD_SPAM:
            result.add(SPAM_SCORE, f"{recent + 1} comments in 10 minutes")
        elif recent >= FLOOD_HOLD:
            result.add(1, f"{recent + 1} comments in 10 minutes")
    return result


def _counts(
    *,
    body: str,
    episode_id: int,
    email: str | None,
    author: str | None,
    own_ids: Mapping[int, datetime],
) -> tuple[int, int]:
    """Return how many other episodes a listener recently wrote these words on,
    and how many comments this listener posted within FLOOD_WINDOW.

    One statement for both, as it runs for every post. Words too short to
    count are not looked for (0). The listener is known by their e-mail address,
    this browser's tokens, or their name: a flood under one name is a flood
    whoever sends it; with none of them there is no flood to count (0).
    """
    now = clock.now()
    params: dict[str, object] = {}
    if len(_key(body)) >= COPY_MIN_LENGTH:
        params.update(
            body_key=body_key(body), episode_id=episode_id, copy_since=now - COPY_WINDOW
        )
    if own_ids:
        params["claims"] = claim_pairs(own_ids)
    if email and email.strip():
        params["email"] = email.strip().lower()
    if author and author.strip():
        params["author"] = author
    copies = "body_key" in params
    proofs = ("claims" in params, "email" in params, "author" in params)
    query = _counts_query(copies, *proofs)
    if query is None:
        return 0, 0
    params["flood_since"] = now - FLOOD_WINDOW
    found = iter(db.session.connection().execute(query, params).one())
    return (
        (next(found) or 0) if copies else 0,
        (next(found) or 0) if any(proofs) else 0,
    )


_COMMENTS: sa.Table = Comment.__table__  # type: ignore[assignment]


@functools.cache
def _counts_query(
    copies: bool, by_claims: bool, by_email: bool, by_author: bool
) -> sa.Select[Any] | None:
    """Return `_counts`'s statement for what is looked for, built once each;
    None when there is nothing to count."""
    comments = _COMMENTS
    asked = []
    if copies:
        asked.append(
            sa.select(sa.func.count(sa.distinct(comments.c.episode_id)))
            .where(
                comments.c.body_key == sa.bindparam("body_key"),
                comments.c.episode_id != sa.bindparam("episode_id"),
                comments.c.is_host.is_(False),
                comments.c.created_at >= sa.bindparam("copy_since"),
                comments.c.status != CommentStatus.DELETED,
            )
            .scalar_subquery()
        )
    proofs = [claimed(comments)] if by_claims else []
    if by_email:
        proofs.append(sa.func.lower(comments.c.email) == sa.bindparam("email"))
    if by_author:
        proofs.append(comments.c.author == sa.bindparam("author"))
    if proofs:
        # One query a proof, each on its own index (an OR of them reads every
        # comment of the window), their ids united so none counts twice.
        found = sa.union(
            *(
                sa.select(comments.c.id).where(
                    proof,
                    comments.c.is_host.is_(False),
                    comments.c.created_at >= sa.bindparam("flood_since"),
                )
                for proof in proofs
            )
        ).subquery()
        asked.append(sa.select(sa.func.count()).select_from(found).scalar_subquery())
    return sa.select(*asked) if asked else None


# The same recent comments are read for each new one: their keys are kept.
@functools.lru_cache(maxsize=4096)
def _key(body: str) -> str:
    return " ".join(names.normal(body).casefold().split())


def body_key(body: str) -> str:
    """Return the digest of `body` as copies are compared: what looks alike
    (`names.normal`), in any case, whatever the spaces. Stored with each
    comment (`Comment.body_key`)."""
    return hashlib.sha256(_key(body).encode()).hexdigest()
