"""The fingerprint of an audio file: its audio, whatever its tags and name."""

import shutil

import mutagen
import pytest
from mutagen.id3 import ID3, TALB, TIT2

from podcast_hub.library import fingerprint

from .conftest import AUDIO_FIXTURES

EACH_FORMAT = [
    "speech.mp3",
    "speech.m4a",
    "speech.aac",
    "speech.ogg",
    "speech.opus",
    "speech.flac",
    "speech.wav",
]


def retag(path):
    """Give the file a new title and a long album: its tags grow by kilobytes."""
    album = "A much longer album name " * 2000
    if path.suffix == ".aac":
        tags = ID3(path)
        tags.add(TALB(encoding=3, text=[album]))
        tags.save(path)
        return
    loaded = mutagen.File(path)
    if type(loaded).__name__ in ("MP3", "WAVE"):
        if loaded.tags is None:
            loaded.add_tags()
        loaded.tags.add(TIT2(encoding=3, text=["Retitled"]))
        loaded.tags.add(TALB(encoding=3, text=[album]))
    elif type(loaded).__name__ == "MP4":
        loaded.tags["\xa9nam"] = ["Retitled"]
        loaded.tags["\xa9alb"] = [album]
    else:
        loaded.tags["title"] = ["Retitled"]
        loaded.tags["album"] = [album]
    loaded.save()


@pytest.mark.parametrize("name", EACH_FORMAT)
def test_new_tags_and_a_new_name_keep_the_fingerprint(tmp_path, name):
    path = tmp_path / name
    shutil.copyfile(AUDIO_FIXTURES / name, path)
    before = fingerprint.of_file(path)
    size = path.stat().st_size

    retag(path)
    moved = tmp_path / "elsewhere" / f"renamed{path.suffix}"
    moved.parent.mkdir()
    path.rename(moved)

    assert moved.stat().st_size > size + 10_000
    assert fingerprint.of_file(moved) == before


def test_different_audio_has_a_different_fingerprint():
    prints = {fingerprint.of_file(AUDIO_FIXTURES / name) for name in EACH_FORMAT}
    prints.add(fingerprint.of_file(AUDIO_FIXTURES / "longer.mp3"))
    assert len(prints) == len(EACH_FORMAT) + 1
    assert all(len(p) == 64 and int(p, 16) >= 0 for p in prints)


@pytest.mark.parametrize("name", EACH_FORMAT)
def test_a_file_cut_short_is_hashed_whole(tmp_path, name):
    """A layout that cannot be followed to its end never raises."""
    data = (AUDIO_FIXTURES / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) * 2 // 3])
    assert fingerprint.of_file(path) != fingerprint.of_file(AUDIO_FIXTURES / name)


def test_an_unreadable_file_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        fingerprint.of_file(tmp_path / "nothing.mp3")
