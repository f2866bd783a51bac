"""Insights: where in an episode listeners comment, and how fast hosts answer."""

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import Comment, Episode
from ..text import timecode
from . import answers, comments

MOMENT_SECONDS = 30
TOP_MOMENTS = 5
# The histogram never has more bars than this, however long the episode: each
# bar covers more whole minutes instead.
MAX_BARS = 120


@dataclass
class Moment:
    """A stretch of the audio many listeners commented on."""

    start_s: int
    count: int
    # A listener's words from it, to name a chapter or soundbite after.
    sample: str


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
        """Return what one bar covers, for people: "minute" or "6 minutes"."""
        minutes = self.bar_s // 60
        return "minute" if minutes == 1 else f"{minutes} minutes"


def bar_seconds(duration_s: int) -> int:
    """Return the seconds each histogram bar covers: whole minutes, as few as
    keep an episode of `duration_s` seconds within MAX_BARS bars."""
    minutes = -(-(duration_s + 1) // (MAX_BARS * 60))
    return 60 * max(1, minutes)


def for_episode(episode: Episode) -> Insights:
    """Return the Insights of `episode`'s published conversation (one query)."""
    published = comments.published(episode)
    found = Insights(duration_s=episode.duration_s, comments=len(published))
    listeners = [c for c in published if not c.is_host]
    found.listener_comments = len(listeners)

    found.bar_s = bar_seconds(episode.duration_s)
    found.bars = [0] * (episode.duration_s // found.bar_s + 1)
    for comment in listeners:
        moment = comment.timestamp_s
        if timecode.inside(moment, episode.duration_s):
            found.bars[moment // found.bar_s] += 1
    found.top_moments = _top_moments(listeners, episode.duration_s)
    _count_threads(found, published)
    return found


def _top_moments(listeners: Sequence[Comment], duration_s: int) -> list[Moment]:
    buckets: dict[int, tuple[int, str]] = {}  # start → (count, first words)
    for comment in listeners:
        moment = comment.timestamp_s
        if not timecode.inside(moment, duration_s):
            continue
        start = moment // MOMENT_SECONDS * MOMENT_SECONDS
        count, sample = buckets.get(start, (0, comment.body))
        buckets[start] = (count + 1, sample)
    ranked = sorted(buckets.items(), key=lambda item: (-item[1][0], item[0]))
    return [
        Moment(start_s=start, count=count, sample=_first_line(sample))
        for start, (count, sample) in ranked[:TOP_MOMENTS]
    ]


def _first_line(text: str | None, limit: int = 60) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _count_threads(found: Insights, published: Sequence[Comment]) -> None:
    """Count listener threads, those a host answered, and the median wait for
    their first answer (`answers`)."""
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
