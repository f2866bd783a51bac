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
    counts: tuple[int, int] | None = None,
) -> Score:
    """Score a listener's words on episode `episode_id`.

    `known`: the listener already has a published comment. `fresh`: a new
    comment (an edit is not a new post: no flood or copy check). `counts`:
    the copies and the recent comments as `counts_statement` counted them in
    this transaction, else they are counted.
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
        if counts is None:
            counts = _counts(Counting(body, episode_id, email, author, own_ids))
        copies, recent = counts
        if copies:
            where = "another episode" if copies == 1 else f"{copies} other episodes"
            result.add(min(copies, 2), f"same words as a comment on {where}")
        if recent >= FLOOD_SPAM:
            result.add(SPAM_SCORE, f"{recent + 1} comments in 10 minutes")
        elif recent >= FLOOD_HOLD:
            result.add(1, f"{recent + 1} comments in 10 minutes")
    return result


@dataclass(frozen=True)
class Counting:
    """What the spam filter counts for a new comment (`counts_statement`): its
    words as stored, its episode, and who posts it (e-mail address, name as
    stored, the browser's own comments {id: created_at})."""

    body: str
    episode_id: int
    email: str | None
    author: str | None
    own_ids: Mapping[int, datetime]


def counts_statement(
    counting: Counting,
) -> tuple[tuple[Any, Any] | None, dict[str, object]]:
    """Return the two counts for a new comment as columns of one row, and their
    parameters: how many other episodes the listener recently wrote these
    words on, and how many comments the listener posted within FLOOD_WINDOW.
    The columns are None when there is nothing to count; a column is NULL
    for what is not counted.

    Words too short to count are not looked for (0). The listener is known by
    their e-mail address, this browser's tokens, or their name: a flood under
    one name is a flood whoever sends it; with none of them there is no flood
    to count (0). `moderation.house_rules` reads them with the rules.
    """
    now = clock.now()
    params: dict[str, object] = {}
    body, email, author = counting.body, counting.email, counting.author
    if len(_key(body)) >= COPY_MIN_LENGTH:
        params.update(
            body_key=body_key(body),
            episode_id=counting.episode_id,
            copy_since=now - COPY_WINDOW,
        )
    if counting.own_ids:
        params["claims"] = claim_pairs(counting.own_ids)
    if email and email.strip():
        params["email"] = email.strip().lower()
    if author and author.strip():
        params["author"] = author
    proofs = ("claims" in params, "email" in params, "author" in params)
    columns = _counts_columns("body_key" in params, *proofs)
    if columns is not None:
        params["flood_since"] = now - FLOOD_WINDOW
    return columns, params


def _counts(counting: Counting) -> tuple[int, int]:
    """Return the two counts for a new comment (`counts_statement`), in one
    statement of their own."""
    columns, params = counts_statement(counting)
    if columns is None:
        return 0, 0
    found = db.session.connection().execute(_counts_query(columns), params).one()
    return found[0] or 0, found[1] or 0


@functools.cache
def _counts_query(columns: tuple[Any, Any]) -> sa.Select[Any]:
    return sa.select(*columns)


_COMMENTS: sa.Table = Comment.__table__  # type: ignore[assignment]


@functools.cache
def _counts_columns(
    copies: bool, by_claims: bool, by_email: bool, by_author: bool
) -> tuple[Any, Any] | None:
    """Return `counts_statement`'s two columns for what is looked for, built
    once each (SQLAlchemy keeps their compiled statements); None when there is
    nothing to count."""
    comments = _COMMENTS
    proofs = [claimed(comments)] if by_claims else []
    if by_email:
        proofs.append(sa.func.lower(comments.c.email) == sa.bindparam("email"))
    if by_author:
        proofs.append(comments.c.author == sa.bindparam("author"))
    if not copies and not proofs:
        return None
    copied: Any = sa.null()
    if copies:
        copied = (
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
    recent: Any = sa.null()
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
        recent = sa.select(sa.func.count()).select_from(found).scalar_subquery()
    return copied, recent


# The same recent comments are read for each new one: their keys are kept.
@functools.lru_cache(maxsize=4096)
def _key(body: str) -> str:
    return " ".join(names.normal(body).casefold().split())


def body_key(body: str) -> str:
    """Return the digest of `body` as copies are compared: what looks alike
    (`names.normal`), in any case, whatever the spaces. Stored with each
    comment (`Comment.body_key`)."""
    return hashlib.sha256(_key(body).encode()).hexdigest()
