"""Reading duration, size, type and tags from real audio of each format."""

import os
import struct

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import CHAP, CTOC, ID3, TIT2, WOAR, WXXX, CTOCFlags

from podcast_hub.library import artwork, audio

from .conftest import AUDIO_FIXTURES

TITLE = "Café Ünïcode — 日本"
ARTIST = "Zoë Ørsted"

# (fixture, MIME type, duration in seconds as ffprobe reports it); the files come
# from tests/fixtures/make_audio.sh.
TAGGED = [
    ("speech.mp3", "audio/mpeg", 3.096),  # ID3v2.3, UTF-16 text
    ("speech.m4a", "audio/x-m4a", 3.000),
    ("speech.aac", "audio/aac", 3.071440),  # ADTS behind an ID3v2.4 tag
    ("speech.ogg", "audio/ogg", 3.000),
    ("speech.opus", "audio/ogg", 3.0065),
    ("speech.flac", "audio/flac", 3.000),
    ("speech.wav", "audio/wav", 3.000),  # RIFF LIST/INFO tags
    ("id3.wav", "audio/wav", 3.000),  # an "id3 " chunk
]
UNTAGGED_MP3 = ("longer.mp3", "audio/mpeg", 6.084)  # starts with an MPEG frame


def wav_bytes(data_size=0, fmt_chunk=True):
    """Return a WAV file of 8 kHz 8-bit mono with `data_size` bytes of samples."""
    chunks = b""
    if fmt_chunk:
        chunks += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    chunks += b"data" + struct.pack("<I", data_size) + b"\x80" * data_size
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


@pytest.mark.parametrize(("name", "mime_type", "true_duration"), TAGGED)
def test_read_gives_duration_size_type_and_tags(name, mime_type, true_duration):
    path = AUDIO_FIXTURES / name

    facts = audio.read(path)

    assert abs(facts.duration_s - true_duration) < 1
    assert facts.duration_s == round(true_duration)
    assert facts.size_bytes == path.stat().st_size
    assert facts.mime_type == mime_type
    assert facts.title == TITLE
    assert facts.artist == ARTIST


def test_vbr_mp3_without_a_xing_header_is_counted_frame_by_frame():
    """The first frame's bit rate makes the size say 3 s; the frames say 27.

    ffprobe -count_frames reads 1036 frames of 576 samples at 22,050 Hz (27.06 s);
    mutagen alone, like ffprobe without counting, guesses from the first frame.
    """
    facts = audio.read(AUDIO_FIXTURES / "vbr-no-xing.mp3")

    assert facts.duration_s == 27
    assert facts.estimated_s == 3
    assert facts.bitrate_bps == round(facts.size_bytes * 8 / (1036 * 576 / 22050))


@pytest.mark.parametrize("name", ["speech.mp3", "longer.mp3", "speech.aac"])
def test_a_header_that_tells_the_length_is_not_second_guessed(name):
    """A Xing header (LAME writes one) or an ADTS count that agrees: no estimate."""
    assert audio.read(AUDIO_FIXTURES / name).estimated_s is None


@pytest.mark.parametrize(
    ("name", "codec", "apple"),
    [
        ("speech.mp3", "mp3", True),
        ("speech.m4a", "aac", True),
        ("speech.aac", "aac", False),
        ("speech.ogg", "vorbis", False),
        ("speech.opus", "opus", False),
        ("speech.flac", "flac", False),
        ("speech.wav", "pcm", False),
    ],
)
def test_codec_and_whether_apple_lists_the_format(name, codec, apple):
    facts = audio.read(AUDIO_FIXTURES / name)
    assert facts.codec == codec
    assert facts.apple_lists is apple
    assert facts.bitrate_bps and facts.bitrate_bps > 1000


def test_read_mp3_without_any_tag():
    name, mime_type, true_duration = UNTAGGED_MP3
    path = AUDIO_FIXTURES / name

    facts = audio.read(str(path))

    assert facts == audio.AudioFacts(
        duration_s=round(true_duration),
        mime_type=mime_type,
        size_bytes=path.stat().st_size,
        title=None,
        artist=None,
        bitrate_bps=16000,
        codec="mp3",
    )


@pytest.mark.parametrize(
    ("fixture", "as_name", "mime_type"),
    [
        ("speech.m4a", "mislabelled.mp3", "audio/x-m4a"),
        ("speech.mp3", "mislabelled.ogg", "audio/mpeg"),
        ("speech.aac", "no-extension", "audio/aac"),
        ("longer.mp3", "no-extension", "audio/mpeg"),
        ("speech.opus", "opus.ogg", "audio/ogg"),
        ("speech.flac", "flac.bin", "audio/flac"),
        ("speech.wav", "wave.WAVE", "audio/wav"),
    ],
)
def test_format_comes_from_the_content_not_the_name(
    audio_file, fixture, as_name, mime_type
):
    """Is a file judged by its bytes, whatever its extension says?"""
    assert audio.read(audio_file(fixture, as_name)).mime_type == mime_type


def lying_wav(claimed_bytes, held_bytes, rate=8000, channels=1, bits=8):
    """Return a WAV whose header claims `claimed_bytes` of samples; it holds
    `held_bytes`."""
    block = channels * bits // 8
    fmt = struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
    data = b"data" + struct.pack("<I", claimed_bytes) + b"\x80" * held_bytes
    chunks = b"fmt " + fmt + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def test_a_wav_claiming_six_days_in_130_bytes_is_refused(media_dir):
    path = media_dir / "tiny.wav"
    path.write_bytes(lying_wav(claimed_bytes=6 * 86400 * 8000, held_bytes=86))
    assert path.stat().st_size == 130

    with pytest.raises(audio.NotAudio) as raised:
        audio.read(path)

    assert str(raised.value) == (
        "claims to last 6.0 days but holds only 130 bytes, too little for that "
        "much audio: its header is damaged or false"
    )


def test_a_file_holding_a_fraction_of_what_its_bit_rate_promises_is_refused(
    media_dir,
):
    """CD-quality WAV (1,411 kbit/s) claiming a minute, holding 36 KB: more than
    500 bytes a second, yet an eighth of what that bit rate takes."""
    path = media_dir / "cut.wav"
    path.write_bytes(
        lying_wav(60 * 176400, held_bytes=60 * 600, rate=44100, channels=2, bits=16)
    )

    with pytest.raises(audio.NotAudio, match="at 1411 kbit/s but holds only"):
        audio.read(path)


@pytest.mark.parametrize("seconds", [1, 60, 600])
def test_audio_as_long_as_its_size_allows_is_read(media_dir, seconds):
    path = media_dir / "honest.wav"
    path.write_bytes(wav_bytes(seconds * 8000))

    assert audio.read(path).duration_s == seconds


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"This is a text file with an audio name.\n", "not a recognised audio format"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00", "MP3 frames could not be read: "),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"x" * 500, "MP3 frames could not be"),
        (b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 16, "MP4 container could not be"),
        (b"fLaC\x00\x00", "FLAC stream could not be read: "),
        (b"OggS\x00\x02" + b"\x00" * 60, "Ogg stream with an unknown codec"),
        (b"OggS\x00\x02" + b"\x00" * 22 + b"\x01\x1e\x01vorbis", "Ogg Vorbis stream"),
        (wav_bytes(0), "no audio duration"),
        (wav_bytes(100, fmt_chunk=False), "WAV file could not be read: "),
        (b"FORM\x00\x00\x00\x04AIFF", "AIFF audio is not supported; use MP3"),
    ],
)
def test_read_refuses_what_is_not_audio_and_says_why(media_dir, content, reason):
    path = media_dir / "episode.mp3"
    path.write_bytes(content)

    with pytest.raises(audio.NotAudio) as raised:
        audio.read(path)

    assert str(raised.value).startswith(reason)


def test_text_file_named_like_audio_is_not_audio():
    with pytest.raises(audio.NotAudio, match="^not a recognised audio format$"):
        audio.read(AUDIO_FIXTURES / "not-audio.mp3")


def test_reasons_do_not_repeat_the_file_path(media_dir):
    path = media_dir / "damaged.mp3"
    path.write_bytes(b"ID3\x09\x00\x00\x00\x00\x00\x00")

    with pytest.raises(audio.NotAudio) as raised:
        audio.read(path)

    assert str(media_dir) not in str(raised.value)


@pytest.mark.parametrize(("name", "mime_type", "true_duration"), TAGGED)
@pytest.mark.parametrize("keep", [0.02, 0.1, 0.5, 0.99])
def test_truncated_files_are_read_or_refused_never_crash(
    media_dir, name, mime_type, true_duration, keep
):
    data = (AUDIO_FIXTURES / name).read_bytes()
    path = media_dir / name
    path.write_bytes(data[: max(1, int(len(data) * keep))])

    try:
        facts = audio.read(path)
    except audio.NotAudio as refused:
        assert str(refused)
    else:
        assert facts.mime_type == mime_type
        assert facts.size_bytes == path.stat().st_size
        assert facts.duration_s <= round(true_duration), "no longer than the whole"


def test_a_folder_is_not_audio(media_dir):
    with pytest.raises(audio.NotAudio, match="is a folder"):
        audio.read(media_dir)


def test_a_missing_file_is_not_audio(media_dir):
    with pytest.raises(audio.NotAudio, match="file not found"):
        audio.read(media_dir / "gone.mp3")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(media_dir):
    path = media_dir / "pipe.mp3"
    os.mkfifo(path)

    with pytest.raises(audio.NotAudio, match="not a regular file"):
        audio.read(path)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their permissions",
)
def test_an_unreadable_file_is_not_audio(audio_file):
    path = audio_file("speech.mp3")
    path.chmod(0)
    try:
        with pytest.raises(audio.NotAudio, match="permission denied"):
            audio.read(path)
    finally:
        path.chmod(0o644)


def test_permission_errors_become_not_audio(audio_file, monkeypatch):
    """Is a file we may not open refused with the reason, even when run as root?"""
    path = audio_file("speech.mp3")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(audio, "open", refuse, raising=False)
    with pytest.raises(audio.NotAudio, match="permission denied"):
        audio.read(path)


@pytest.mark.parametrize(
    ("filename", "mime_type"),
    [
        ("talk.mp3", "audio/mpeg"),
        ("season-1/TALK.MP3", "audio/mpeg"),
        ("talk.m4a", "audio/x-m4a"),
        ("talk.opus", "audio/ogg"),
        ("talk.flac", "audio/flac"),
        ("cover.png", "image/png"),
    ],
)
def test_mime_type_for_goes_by_extension(filename, mime_type):
    assert audio.mime_type_for(filename) == mime_type


# Chapters made by tests/fixtures/make_audio.sh, starting at 0, 1.5 and 2.25 s.
THREE_CHAPTERS = [
    audio.Chapter(0, "Intro — Café"),
    audio.Chapter(1, "日本の話"),
    audio.Chapter(2, "Zoë’s outro"),
]


@pytest.mark.parametrize(
    ("name", "chapters"),
    [
        # ID3 CHAP frames stored as ch3, ch1, ch2; the CTOC lists ch1, ch2, ch3.
        (
            "chapters.mp3",
            [
                THREE_CHAPTERS[0],
                THREE_CHAPTERS[1]._replace(url="https://example.com/notes#japan"),
                THREE_CHAPTERS[2],
            ],
        ),
        ("chapters.m4a", THREE_CHAPTERS),  # the Nero chapter list ffmpeg writes
        (
            "art.flac",
            [
                audio.Chapter(0, "Anfang"),
                audio.Chapter(1, "Ende — Schluß", "https://example.com/ende"),
            ],
        ),
        (
            "chapters.opus",
            [audio.Chapter(0, "Start"), audio.Chapter(2, "Ünïcode ending")],
        ),
        ("speech.mp3", []),
        ("speech.flac", []),
    ],
)
def test_chapters_are_read_with_whole_second_starts(name, chapters):
    """Are starts rounded down, so that a jump never skips a chapter's start?"""
    assert list(audio.read(AUDIO_FIXTURES / name).chapters) == chapters


def test_mp4_chapters_in_a_quicktime_track_only_are_not_seen():
    """mutagen reads the Nero list (chpl), not QuickTime chapter tracks."""
    facts = audio.read(AUDIO_FIXTURES / "qt-chapters.m4a")

    assert facts.chapters == ()
    assert facts.duration_s == 3


def test_damaged_mp4_chapter_list_leaves_the_audio_readable(media_dir):
    data = bytearray((AUDIO_FIXTURES / "chapters.m4a").read_bytes())
    title_at = data.index(b"Intro", data.index(b"chpl"))
    data[title_at] = 0xFF  # no longer UTF-8, which mutagen refuses
    path = media_dir / "damaged.m4a"
    path.write_bytes(bytes(data))

    facts = audio.read(path)

    assert facts.duration_s == 3
    assert facts.title == TITLE
    assert facts.chapters == ()


def test_id3_chapters_follow_the_table_of_contents(audio_file):
    """Is the CTOC order kept, through a nested table, with chapters it leaves
    out following by start time?"""
    path = audio_file("speech.mp3", "toc.mp3")
    tags = ID3(path)
    for element_id, start_ms, title in [
        ("a", 0, "First by time, second in the table"),
        ("b", 1000, "Second by time, first in the table"),
        ("c", 2000, "In a nested table"),
        ("d", 1500, "In no table"),
        ("e", 2500, None),
    ]:
        sub_frames = [TIT2(encoding=3, text=[title])] if title else []
        tags.add(
            CHAP(element_id=element_id, start_time=start_ms, sub_frames=sub_frames)
        )
    tags.add(CTOC(element_id="inner", flags=0, child_element_ids=["c"], sub_frames=[]))
    tags.add(
        CTOC(
            element_id="top",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=["b", "a", "inner", "missing"],
            sub_frames=[],
        )
    )
    tags.save()

    chapters = audio.read(path).chapters

    assert [(c.start_s, c.title) for c in chapters] == [
        (1, "Second by time, first in the table"),
        (0, "First by time, second in the table"),
        (2, "In a nested table"),
        (1, "In no table"),
        (2, "Chapter 5"),
    ]


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,<script>x</script>", "JavaScript:x"]
)
def test_id3_chapter_links_that_are_not_web_links_are_dropped(audio_file, link):
    path = audio_file("speech.mp3", "links.mp3")
    tags = ID3(path)
    tags.add(
        CHAP(
            element_id="a",
            start_time=0,
            sub_frames=[
                TIT2(encoding=3, text=["Bad link"]),
                WXXX(encoding=3, url=link),
            ],
        )
    )
    tags.add(
        CHAP(
            element_id="b",
            start_time=1000,
            sub_frames=[TIT2(encoding=3, text=["Other frame"]), WOAR(url=link)],
        )
    )
    tags.add(
        CHAP(
            element_id="c",
            start_time=2000,
            sub_frames=[
                TIT2(encoding=3, text=["Good link"]),
                WXXX(encoding=3, url="https://example.org/c"),
            ],
        )
    )
    tags.save()

    facts = audio.read(path)

    assert list(facts.chapters) == [
        audio.Chapter(0, "Bad link"),
        audio.Chapter(1, "Other frame"),
        audio.Chapter(2, "Good link", "https://example.org/c"),
    ]
    assert facts.left_out == (
        f"chapter 'Bad link': link {link!r} is not an http(s) address; dropped",
        f"chapter 'Other frame': link {link!r} is not an http(s) address; dropped",
    )


def test_vorbis_chapter_links_that_are_not_web_links_are_dropped(audio_file):
    path = audio_file("speech.flac", "links.flac")
    tags = FLAC(path)
    tags["CHAPTER001"] = "00:00:00.000"
    tags["CHAPTER001NAME"] = "Start"
    tags["CHAPTER001URL"] = "data:text/html,<script>alert(1)</script>"
    tags["CHAPTER002"] = "00:00:02.000"
    tags["CHAPTER002NAME"] = "End"
    tags["CHAPTER002URL"] = "https://example.org/end"
    tags.save()

    facts = audio.read(path)

    assert list(facts.chapters) == [
        audio.Chapter(0, "Start"),
        audio.Chapter(2, "End", "https://example.org/end"),
    ]
    assert len(facts.left_out) == 1 and "'data:text/html," in facts.left_out[0]


@pytest.mark.parametrize(
    ("name", "mime_type", "size"),
    [
        # The front cover, not the small "other" picture stored before it.
        ("chapters.mp3", "image/jpeg", (1400, 1400)),
        ("chapters.m4a", "image/png", (1400, 1400)),
        ("art.flac", "image/jpeg", (600, 400)),
    ],
)
def test_embedded_cover_art_is_read(name, mime_type, size):
    art = audio.read(AUDIO_FIXTURES / name).artwork

    assert art.mime_type == mime_type
    image = artwork.inspect(art.data)
    assert (image.width_px, image.height_px) == size


def test_ogg_cover_art_comes_from_metadata_block_picture():
    art = audio.read(AUDIO_FIXTURES / "chapters.opus").artwork

    # The fixture's picture is a PNG cut short after 200 bytes.
    assert art.mime_type == "image/png"
    assert art.data.startswith(b"\x89PNG") and len(art.data) == 200


@pytest.mark.parametrize("name", ["speech.mp3", "speech.m4a", "speech.ogg", "id3.wav"])
def test_files_without_art_have_none(name):
    assert audio.read(AUDIO_FIXTURES / name).artwork is None


@pytest.mark.parametrize(
    "name",
    ["chapters.mp3", "chapters.m4a", "qt-chapters.m4a", "art.flac", "chapters.opus"],
)
@pytest.mark.parametrize("keep", [0.02, 0.1, 0.3, 0.6, 0.99])
def test_truncated_chapters_and_art_never_crash(media_dir, name, keep):
    data = (AUDIO_FIXTURES / name).read_bytes()
    path = media_dir / name
    path.write_bytes(data[: max(1, int(len(data) * keep))])

    try:
        facts = audio.read(path)
    except audio.NotAudio as refused:
        assert str(refused)
    else:
        assert all(chapter.title for chapter in facts.chapters)
        assert facts.artwork is None or facts.artwork.data
