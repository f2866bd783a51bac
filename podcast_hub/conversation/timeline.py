"""The timeline under the player: grouped comment markers and the heat strip.

The page draws them from `threads.slices`: the comments counted in SLICES equal
slices of the audio, one aggregate query whatever the size of the conversation.
`static/timeline.js` then redraws the markers from the per-second moments JSON,
grouped for the width of the listener's screen.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Chapter

SLICES = 40
# A slice of the audio with comments: (slice, first second, count, first comment id).
Slice = tuple[int, int, int, int]


@dataclass(frozen=True)
class Marker:
    """Comments close together in the audio, shown as one point on the timeline.

    `start_s` is the earliest moment of the group; `comment_id` the first comment
    posted in it.
    """

    start_s: int
    count: int
    comment_id: int
    position: float


def position(seconds: float, duration_s: float) -> float:
    """Return where `seconds` sits along `duration_s`, in percent (0 to 100)."""
    if duration_s <= 0:
        return 0.0
    return round(min(max(seconds / duration_s, 0.0), 1.0) * 100, 2)


def markers(slices: Iterable[Slice], duration_s: int) -> list[Marker]:
    """Return a Marker per slice with comments, merging neighbours closer than half
    a slice (they would overlap on the bar).

    `slices` are `(slice, first second, count, first comment id)` rows in order.
    """
    gap = duration_s / SLICES / 2
    merged: list[list[int]] = []  # [first second, count, first comment id]
    for _, first_s, count, comment_id in slices:
        if merged and first_s - merged[-1][0] < gap:
            merged[-1][1] += count
            merged[-1][2] = min(merged[-1][2], comment_id)
        else:
            merged.append([first_s, count, comment_id])
    return [
        Marker(first_s, count, comment_id, position(first_s, duration_s))
        for first_s, count, comment_id in merged
    ]


def heat(slices: Iterable[Slice]) -> list[float]:
    """Return SLICES intensities from 0 to 1: how busy each slice of the audio is."""
    totals = [0] * SLICES
    for index, _, count, _ in slices:
        totals[min(max(index, 0), SLICES - 1)] += count
    busiest = max(totals)
    return [round(total / busiest, 2) if busiest else 0 for total in totals]


def ticks(chapters: Iterable[Chapter], duration_s: int) -> list[tuple[int, str, float]]:
    """Return `(start_s, title, position)` for each chapter, to mark on the timeline.

    A chapter out of the table of contents (`toc` false: a picture change)
    is left out.
    """
    return [
        (chapter.start_s, chapter.title, position(chapter.start_s, duration_s))
        for chapter in chapters
        if chapter.toc is not False
    ]
