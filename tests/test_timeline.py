"""The timeline: grouped markers, chapter ticks and the heat strip."""

from types import SimpleNamespace

from podcast_hub import timeline


def test_markers_merge_moments_within_a_window_and_add_their_counts():
    moments = [(0, 1, 10), (30, 2, 11), (44, 1, 12), (45, 3, 13), (400, 1, 14)]
    markers = timeline.markers(moments, duration_s=600, groups=40)  # 15 s window
    assert [(m.start_s, m.end_s, m.count, m.comment_id) for m in markers] == [
        (0, 0, 1, 10),
        (30, 44, 3, 11),
        (45, 45, 3, 13),
        (400, 400, 1, 14),
    ]
    assert markers[3].position == 66.67


def test_markers_stay_few_however_many_moments():
    moments = [(second, 1, second + 1) for second in range(3600)]
    assert len(timeline.markers(moments, duration_s=3600)) == timeline.MARKER_GROUPS


def test_heat_is_relative_to_the_busiest_slice():
    heat = timeline.heat([(0, 1, 1), (599, 4, 2)], duration_s=600, bins=4)
    assert heat == [0.25, 0, 0, 1.0]
    assert timeline.heat([], duration_s=600, bins=3) == [0, 0, 0]


def test_positions_are_clamped_to_the_bar():
    assert timeline.position(900, 600) == 100.0
    assert timeline.position(10, 0) == 0.0


def test_chapter_ticks_carry_start_title_and_position():
    chapters = [
        SimpleNamespace(start_s=0, title="Intro"),
        SimpleNamespace(start_s=150, title="Storm"),
    ]
    assert timeline.ticks(chapters, 600) == [(0, "Intro", 0.0), (150, "Storm", 25.0)]
