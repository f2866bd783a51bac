"""The timeline: grouped markers, chapter ticks and the heat strip."""

from types import SimpleNamespace

from podcast_hub.conversation import threads, timeline

from .helpers import make_comment, make_episode, make_show


def test_slices_count_published_moments_in_equal_parts_of_the_audio(app_context):
    make_show()
    episode = make_episode(duration_s=400)
    first = make_comment(episode, timestamp_s=12)
    make_comment(episode, timestamp_s=5, status="hidden")
    make_comment(episode, timestamp_s=19)
    last = make_comment(episode, timestamp_s=400)
    make_comment(episode, timestamp_s=None)
    assert threads.slices(episode, 40) == [(1, 12, 2, first.id), (40, 400, 1, last.id)]


def test_markers_merge_neighbours_closer_than_half_a_slice():
    # 600 s in 40 slices: 15 s each, neighbours closer than 7.5 s merge.
    rows = [
        (0, 0, 1, 10),
        (2, 30, 2, 11),
        (2, 44, 1, 12),
        (3, 46, 3, 9),
        (26, 400, 1, 14),
    ]
    markers = timeline.markers(rows, duration_s=600)
    assert [(m.start_s, m.count, m.comment_id) for m in markers] == [
        (0, 1, 10),
        (30, 2, 11),
        (44, 4, 9),
        (400, 1, 14),
    ]
    assert markers[3].position == 66.67


def test_heat_is_relative_to_the_busiest_slice():
    heat = timeline.heat([(0, 1, 1, 1), (39, 590, 4, 2), (40, 600, 4, 3)])
    assert len(heat) == timeline.SLICES
    assert heat[0] == 0.12 and heat[-1] == 1.0 and heat[1] == 0
    assert timeline.heat([]) == [0] * timeline.SLICES


def test_positions_are_clamped_to_the_bar():
    assert timeline.position(900, 600) == 100.0
    assert timeline.position(10, 0) == 0.0


def test_chapter_ticks_carry_start_title_and_position():
    chapters = [
        SimpleNamespace(start_s=0, title="Intro", toc=True),
        SimpleNamespace(start_s=100, title="Picture change", toc=False),
        SimpleNamespace(start_s=150, title="Storm", toc=True),
    ]
    assert timeline.ticks(chapters, 600) == [(0, "Intro", 0.0), (150, "Storm", 25.0)]
