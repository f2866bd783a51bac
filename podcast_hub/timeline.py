"""The timeline under the player: grouped comment markers and the heat strip.

Moments come in as `(second, count, first comment id)` rows, one per second that
has comments (see `threads.moments`). `static/timeline.js` groups the same rows
again for the width of the listener's screen; these are the groups that the page
shows before (or without) JavaScript.
"""

from dataclasses import dataclass

MARKER_GROUPS = 40
HEAT_BINS = 48


@dataclass(frozen=True)
class Marker:
    """Comments close together in the audio, shown as one point on the timeline."""

    start_s: int
    end_s: int
    count: int
    comment_id: int
    position: float


def position(seconds, duration_s):
    """Return where `seconds` sits along `duration_s`, in percent (0 to 100)."""
    if duration_s <= 0:
        return 0.0
    return round(min(max(seconds / duration_s, 0.0), 1.0) * 100, 2)


def markers(moments, duration_s, groups=MARKER_GROUPS):
    """Return Markers for `moments`, merging those within 1/`groups` of the audio.

    A group starts at its first moment and takes in every later moment less than
    a window after it; its `comment_id` is the earliest comment at that start.
    """
    window = max(duration_s / groups, 1)
    found = []
    for second, count, comment_id in moments:
        if found and second - found[-1].start_s < window:
            last = found[-1]
            found[-1] = Marker(
                last.start_s, second, last.count + count, last.comment_id, last.position
            )
        else:
            found.append(
                Marker(second, second, count, comment_id, position(second, duration_s))
            )
    return found


def ticks(chapters, duration_s):
    """Return `(start_s, title, position)` for each chapter, to mark on the timeline."""
    return [
        (chapter.start_s, chapter.title, position(chapter.start_s, duration_s))
        for chapter in chapters
    ]


def heat(moments, duration_s, bins=HEAT_BINS):
    """Return `bins` intensities from 0 to 1: how busy each slice of the audio is."""
    totals = [0] * bins
    for second, count, _ in moments:
        index = int(second * bins / duration_s) if duration_s > 0 else 0
        totals[min(max(index, 0), bins - 1)] += count
    busiest = max(totals)
    return [round(total / busiest, 2) if busiest else 0 for total in totals]
