"""Moments of the audio: reading and writing "12:34" and "1:02:03"."""

import pytest

from podcast_hub.text import markdown, plain, timecode
from podcast_hub.text.timecode import TimecodeError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (754, 754),
        (0, 0),
        ("754", 754),
        ("0", 0),
        ("12:34", 754),
        ("0:05", 5),
        ("59:59", 3599),
        ("90:00", 5400),
        ("1:02:03", 3723),
        ("10:00:00", 36000),
        (" 12:34 ", 754),
    ],
)
def test_parse_reads_seconds_and_clock_times(text, seconds):
    assert timecode.parse(text) == seconds


@pytest.mark.parametrize("text", [None, "", "   "])
def test_parse_gives_none_for_no_moment(text):
    assert timecode.parse(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "1:60",
        "1:02:60",
        "1:60:00",
        "-5",
        -5,
        "abc",
        "1:2:3:4",
        "12:3",
        ":30",
        "12:",
        "1.5",
        "1:02:03.5",
        True,
    ],
)
def test_parse_refuses_what_is_not_a_moment(text):
    with pytest.raises(TimecodeError):
        timecode.parse(text)


def test_timecode_error_is_a_value_error_with_a_human_message():
    with pytest.raises(ValueError, match="59"):
        timecode.parse("1:60")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0:00"),
        (5, "0:05"),
        (754, "12:34"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (36000, "10:00:00"),
    ],
)
def test_format_writes_minutes_then_hours(seconds, text):
    assert timecode.format(seconds) == text


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 754, 3599, 3600, 3723, 86399])
def test_format_and_parse_round_trip(seconds):
    assert timecode.parse(timecode.format(seconds)) == seconds
    assert timecode.format(timecode.parse(str(seconds))) == timecode.format(seconds)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "00:00:00"), (754, "00:12:34"), (3723, "01:02:03")]
)
def test_itunes_duration_is_always_hh_mm_ss(seconds, text):
    assert timecode.itunes(seconds) == text


@pytest.mark.parametrize(
    ("written", "duration_s", "seconds"),
    [
        ("12:34", 754, 754),
        ("12:35", 754, None),
        ("1:02:03", 4000, 3723),
        ("0:00", 0, 0),
        ("12:99", 4000, None),
        ("12:34", None, None),
    ],
)
def test_within_reads_a_moment_in_text_only_inside_the_episode(
    written, duration_s, seconds
):
    """Comments and show notes link the same moments."""
    assert timecode.within(written, duration_s) == seconds
    link = f'data-seek="{seconds}"'
    shown = seconds is not None
    assert (link in plain.linkify(f"At {written}.", duration_s)) is shown
    if duration_s is not None:
        assert (link in markdown.render(f"At {written}.", duration_s)) is shown


@pytest.mark.parametrize(
    ("seconds", "inside"),
    [(0, True), (600, True), (601, False), (-1, False), (None, False)],
)
def test_inside_holds_the_first_and_the_last_second(seconds, inside):
    assert timecode.inside(seconds, 600) is inside
