"""Insights: where in an episode listeners comment, and how fast hosts answer."""

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from .. import clock
from ..extensions import db
from ..models import Comment, CommentStatus, Episode
from ..text import timecode
from . import answers, comments

# A top moment spans at most this many seconds, from its first comment's time to
# its last's.
MOMENT_SECONDS = 30
TOP_MOMENTS = 5
# The histogram never has more bars than this, however long the episode: each
# bar covers a longer round stretch instead (`BAR_STEPS`).
MAX_BARS = 60
# The round stretches a bar may cover, in seconds, shortest first; past the last,
# whole days.
BAR_STEPS = (
    (1, 2, 5, 10, 15, 20, 30)
    + (60, 120, 300, 600, 900, 1200, 1800)
    + (3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400)
)


@dataclass
class Moment:
    """A stretch of the audio many listeners commented on: from the first of its
    comments' moments to the last, both included."""

    start_s: int
    end_s: int
    count: int
    # A listener's words from it, to name a chapter or soundbite after.
    sample: str

    @property
    def range(self) -> str:
        """Return where the moment lies, for people: "0:12–0:20" or "0:12"."""
        where = timecode.format(self.start_s)
        if self.end_s != self.start_s:
            where += "–" + timecode.format(self.end_s)
        return where

    @property
    def label(self) -> str:
        """Return the moment for people: "0:12–0:20, 2 comments"."""
        return f"{self.range}, {self.count} comment{'' if self.count == 1 else 's'}"


@dataclass
class Insights:
    """One episode's conversation in numbers."""

    duration_s: int
    comments: int = 0
    listener_comments: int = 0
    threads: int = 0
    threads_answered: int = 0
    median_first_reply_s: int | None = None
    # Listener comments per stretch of `bar_s` seconds, from the start.
    bars: list[int] = field(default_factory=list)
    bar_s: int = 60
    top_moments: list[Moment] = field(default_factory=list)

    @property
    def busiest_bar(self) -> int:
        """Return the highest count in `bars`, at least 1."""
        return max(self.bars, default=0) or 1

    @property
    def bar_words(self) -> str:
        """Return what one bar covers, for people: "10 seconds", "minute",
        "5 minutes", "hour"."""
        return span_words(self.bar_s)


def span_words(seconds: int) -> str:
    """Return a stretch of `seconds` for people, singular without a count:
    "second", "10 seconds", "minute", "2 hours", "3 days"."""
    for size, unit in ((86_400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return "second" if seconds == 1 else f"{seconds} seconds"


def bar_seconds(duration_s: int) -> int:
    """Return the seconds each histogram bar covers: the shortest round stretch
    (`BAR_STEPS`) that keeps an episode of `duration_s` seconds, its last second
    included, within MAX_BARS bars (`bar_count`)."""
    for step in BAR_STEPS:
        if bar_count(duration_s, step) <= MAX_BARS:
            return step
    return 86_400 * -(-duration_s // (MAX_BARS * 86_400))


def bar_count(duration_s: int, bar_s: int) -> int:
    """Return how many bars of `bar_s` seconds cover `duration_s` seconds: the
    last second (the moment at the very end) shares the last bar."""
    return max(1, -(-duration_s // bar_s))


def for_episode(episode: Episode) -> Insights:
    """Return the Insights of `episode`'s published conversation (one query)."""
    published = comments.published(episode)
    found = Insights(duration_s=episode.duration_s, comments=len(published))
    listeners = [c for c in published if not c.is_host]
    found.listener_comments = len(listeners)

    found.bar_s = bar_seconds(episode.duration_s)
    found.bars = [0] * bar_count(episode.duration_s, found.bar_s)
    for comment in listeners:
        moment = comment.timestamp_s
        if timecode.inside(moment, episode.duration_s):
            found.bars[min(moment // found.bar_s, len(found.bars) - 1)] += 1
    found.top_moments = _top_moments(listeners, episode.duration_s)
    _count_threads(found, published)
    return found


def _top_moments(listeners: Sequence[Comment], duration_s: int) -> list[Moment]:
    """Return the busiest stretches of at most MOMENT_SECONDS, by the comments'
    own moments, busiest first (the earlier on a tie).

    Each pick is the window holding the most comments not yet picked; a window
    never reaches across an earlier pick, so the ranges never overlap.
    """
    timed = sorted(
        (c for c in listeners if timecode.inside(c.timestamp_s, duration_s)),
        key=lambda c: c.timestamp_s or 0,
    )
    moments_s = [c.timestamp_s or 0 for c in timed]
    taken = [False] * len(timed)
    found: list[Moment] = []
    while len(found) < TOP_MOMENTS:
        best: tuple[int, int, int] | None = None  # (count, -start, first index)
        end = 0
        for first in range(len(timed)):
            if taken[first]:
                continue
            end = max(end, first)
            while (
                end + 1 < len(timed)
                and not taken[end + 1]
                and moments_s[end + 1] - moments_s[first] <= MOMENT_SECONDS
            ):
                end += 1
            candidate = (end - first + 1, -moments_s[first], first)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        if best is None:
            break
        count, _, first = best
        last = first + count - 1
        for index in range(first, last + 1):
            taken[index] = True
        found.append(
            Moment(
                start_s=moments_s[first],
                end_s=moments_s[last],
                count=count,
                sample=_first_line(timed[first].body),
            )
        )
    return found


def _first_line(text: str | None, limit: int = 60) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _count_threads(found: Insights, published: Sequence[Comment]) -> list[float]:
    """Count listener threads, those a host answered, and the median wait for
    their first answer (`answers`); return each answered thread's wait in
    seconds."""
    by_id = {comment.id: comment for comment in published}

    def root_of(comment: Comment) -> Comment:
        while comment.parent_id is not None and comment.parent_id in by_id:
            comment = by_id[comment.parent_id]
        return comment

    replies: defaultdict[int, list[Comment]] = defaultdict(list)
    for comment in published:
        if comment.parent_id is not None:
            replies[root_of(comment).id].append(comment)
    roots = [c for c in published if c.parent_id is None and not c.is_host]
    found.threads = len(roots)
    firsts = [(root, answers.first_answer(replies[root.id])) for root in roots]
    waits = [first.created_at - root.created_at for root, first in firsts if first]
    found.threads_answered = len(waits)
    if waits:
        median = statistics.median(wait.total_seconds() for wait in waits)
        found.median_first_reply_s = max(0, round(median))
    return [wait.total_seconds() for wait in waits]


def comments_in_range(episode: Episode, from_s: int, to_s: int) -> list[Comment]:
    """Return the published listener comments on `episode` whose moment lies from
    `from_s` to `to_s` seconds, both included: what a histogram bar or a top
    moment counts. By moment, then oldest first."""
    return [
        comment
        for comment in comments.published(episode)
        if not comment.is_host
        and comment.timestamp_s is not None
        and from_s <= comment.timestamp_s <= to_s
        and timecode.inside(comment.timestamp_s, episode.duration_s)
    ]


# The periods the show-wide page offers, in days; None is all time.
PERIODS: dict[str, int | None] = {"7": 7, "28": 28, "90": 90, "365": 365, "all": None}
DEFAULT_PERIOD = "28"
SHOW_MOMENTS = 5


@dataclass
class EpisodeTalk:
    """How much one episode drew in a period."""

    episode: Episode
    comments: int = 0  # published listener comments
    listeners: int = 0  # different names among them
    replies: int = 0  # the hosts' published comments
    top_moment: Moment | None = None


@dataclass
class ShowInsights:
    """The whole show's conversation since `since` (None: all time)."""

    since: datetime | None
    episodes: list[EpisodeTalk] = field(default_factory=list)
    quiet_episodes: int = 0  # episodes no listener commented on in the period
    moments: list[tuple[Episode, Moment]] = field(default_factory=list)
    comments: int = 0
    listeners: int = 0
    threads: int = 0
    threads_answered: int = 0
    median_first_reply_s: int | None = None
    p90_first_reply_s: int | None = None

    @property
    def unanswered_percent(self) -> int | None:
        """Return the share of listener threads no host answered, in percent
        (rounded), or None when there is no thread to count."""
        if not self.threads:
            return None
        return round(100 * (self.threads - self.threads_answered) / self.threads)


def for_show(
    episodes: Sequence[Episode], published: Sequence[Comment], since: datetime | None
) -> ShowInsights:
    """Return the ShowInsights of `episodes` from their `published` comments
    (those created since `since`, as `published_since` gives them)."""
    found = ShowInsights(since=since)
    by_episode: defaultdict[int, list[Comment]] = defaultdict(list)
    for comment in published:
        by_episode[comment.episode_id].append(comment)
    names: set[str] = set()
    waits: list[float] = []
    for episode in episodes:
        said = by_episode.get(episode.id, [])
        listeners = [c for c in said if not c.is_host]
        if not listeners:
            found.quiet_episodes += 1
            continue
        episode_names = {" ".join(c.author.split()).casefold() for c in listeners}
        names |= episode_names
        moments = _top_moments(listeners, episode.duration_s)
        found.episodes.append(
            EpisodeTalk(
                episode=episode,
                comments=len(listeners),
                listeners=len(episode_names),
                replies=sum(1 for c in said if c.is_host),
                top_moment=moments[0] if moments else None,
            )
        )
        found.moments.extend((episode, moment) for moment in moments)
        counted = Insights(duration_s=episode.duration_s)
        waits.extend(_count_threads(counted, said))
        found.threads += counted.threads
        found.threads_answered += counted.threads_answered
    found.comments = sum(talk.comments for talk in found.episodes)
    found.listeners = len(names)
    found.episodes.sort(key=lambda t: (-t.comments, -t.replies, -t.episode.id))
    found.moments.sort(key=lambda pair: -pair[1].count)
    found.moments = found.moments[:SHOW_MOMENTS]
    if waits:
        waits.sort()
        found.median_first_reply_s = max(0, round(statistics.median(waits)))
        # The nearest rank: the wait that 90 in 100 threads did not exceed.
        found.p90_first_reply_s = max(0, round(waits[math.ceil(0.9 * len(waits)) - 1]))
    return found


def show_insights(period: str) -> ShowInsights:
    """Return the ShowInsights of every episode, drafts included, over `period`
    (a key of PERIODS; an unknown one is DEFAULT_PERIOD). Two queries."""
    days = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])
    since = clock.now() - timedelta(days=days) if days is not None else None
    query = (
        sa.select(Comment)
        .where(Comment.status == CommentStatus.PUBLISHED)
        .order_by(Comment.created_at, Comment.id)
        .options(so.raiseload("*"))
    )
    if since is not None:
        query = query.where(Comment.created_at >= since)
    everything = db.session.scalars(sa.select(Episode).order_by(Episode.id)).all()
    return for_show(everything, db.session.scalars(query).all(), since)
