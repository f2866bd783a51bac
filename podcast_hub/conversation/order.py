"""Thread order: where a thread and a reply stand, written once.

Threads (top-level comments) are listed one of two ways (`Sort`): by `moment`,
pinned threads first, then by their moment of the audio, general comments last,
then oldest first; or `newest`, pinned threads first, then newest first.
Replies are in *thread order*: each second-level reply, oldest first, followed
by everything below it, oldest first (deeper replies show at the third level).

Each way is a list of keys, and everything that orders comments reads it: the
SQL that pages threads and counts a comment's place, the Python sort of a whole
conversation, and the key each thread carries on the page (`data-order-<sort>`)
that the page's scripts compare to put a new comment where the server would.
"""

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from ..models import Comment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
T = TypeVar("T")


class Sort(enum.StrEnum):
    """The ways a page lists threads."""

    MOMENT = "moment"
    NEWEST = "newest"


@dataclass(frozen=True)
class _Key:
    """One key of an order: as SQL, as the value a comment has, and its direction."""

    column: Callable[[Any], Any]
    value: Callable[[Any], Any]
    ascending: bool = True


_PINNED_FIRST = _Key(
    lambda c: sa.case((c.pinned.is_(True), 0), else_=1),
    lambda c: 0 if c.pinned else 1,
)
_GENERAL_LAST = _Key(
    lambda c: sa.case((c.timestamp_s.is_(None), 1), else_=0),
    lambda c: 1 if c.timestamp_s is None else 0,
)
_BY_MOMENT = _Key(
    lambda c: sa.func.coalesce(c.timestamp_s, 0), lambda c: c.timestamp_s or 0
)
_OLDEST_FIRST = (
    _Key(lambda c: c.created_at, lambda c: c.created_at),
    _Key(lambda c: c.id, lambda c: c.id),
)
_NEWEST_FIRST = (
    _Key(lambda c: c.created_at, lambda c: c.created_at, ascending=False),
    _Key(lambda c: c.id, lambda c: c.id, ascending=False),
)
_THREADS = {
    Sort.MOMENT: (_PINNED_FIRST, _GENERAL_LAST, _BY_MOMENT, *_OLDEST_FIRST),
    Sort.NEWEST: (_PINNED_FIRST, *_NEWEST_FIRST),
}


def thread_keys(sort: Sort, entity: Any = Comment) -> list[tuple[Any, bool]]:
    """Return the (SQL expression, ascending) pairs that order threads for `sort`."""
    return [(key.column(entity), key.ascending) for key in _THREADS[Sort(sort)]]


def thread_values(comment: Comment, sort: Sort) -> list[Any]:
    """Return `comment`'s values for the keys of `thread_keys(sort)`."""
    return [key.value(comment) for key in _THREADS[Sort(sort)]]


def order_by(keys: Sequence[tuple[Any, bool]]) -> list[Any]:
    """Return `keys`, (expression, ascending) pairs, as an SQL ORDER BY list."""
    return [expr if ascending else expr.desc() for expr, ascending in keys]


def before(keys: Sequence[tuple[Any, bool]], values: Sequence[Any]) -> Any:
    """Return the SQL condition: a row sorts before one with `values` under `keys`."""
    either = []
    for i, ((expr, ascending), value) in enumerate(zip(keys, values, strict=True)):
        ties = [
            key == earlier
            for (key, _), earlier in zip(keys[:i], values[:i], strict=True)
        ]
        either.append(sa.and_(*ties, expr < value if ascending else expr > value))
    return sa.or_(*either)


def sort_key(comment: Comment, sort: Sort = Sort.MOMENT) -> tuple[int, ...]:
    """Return where `comment` stands among threads for `sort`, as whole numbers.

    Smaller comes first. Times count microseconds from 1970 and a descending
    key is negated, so the numbers compare the way the SQL orders the rows.
    """
    numbers = []
    for key in _THREADS[Sort(sort)]:
        value = key.value(comment)
        if isinstance(value, datetime):
            value = (value - _EPOCH) // _MICROSECOND
        numbers.append(value if key.ascending else -value)
    return tuple(numbers)


def sorted_threads(comments: Iterable[T], sort: Sort = Sort.MOMENT) -> list[T]:
    """Return top-level `comments` (Comments, or rows with their columns) in
    the order of threads for `sort`, as `sort_key` orders them.

    One stable sort per key, the last key first: cheaper than `sort_key`'s
    numbers for a whole conversation.
    """
    found = list(comments)
    for key in reversed(_THREADS[Sort(sort)]):
        found.sort(key=key.value, reverse=not key.ascending)
    return found


def page_keys(comment: Comment) -> dict[str, str]:
    """Return {sort: key} for a thread on the page: its `sort_key`, spaced numbers."""
    return {sort.value: " ".join(map(str, sort_key(comment, sort))) for sort in Sort}


def reply_order(rows: Any) -> tuple[Any, ...]:
    """Return the columns of `rows` that put replies in thread order.

    `rows` has `branch_at` and `branch_id`, the second-level reply each row shows
    under, its `level`, `created_at` and `id` (see `threads._below`).
    """
    return (
        rows.c.branch_at,
        rows.c.branch_id,
        rows.c.level,
        rows.c.created_at,
        rows.c.id,
    )
