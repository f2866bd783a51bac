"""Files of the media folder: slugs and titles from names, free names, and new
files that appear whole and never over another."""

import errno
import os

import pytest

from podcast_hub.catalog import files


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("The Lighthouse Keeper", "the-lighthouse-keeper"),
        ("Zoë & Björn: take 2!", "zoe-bjorn-take-2"),
        ("  --Spaces--and__marks  ", "spaces-and-marks"),
        ("東京", "episode"),
        ("", "episode"),
        (None, "episode"),
        ("a" * 300, "a" * 190),
    ],
)
def test_slugify_makes_a_slug_with_room_for_a_number(text, slug):
    assert files.slugify(text) == slug


def test_unique_numbers_a_taken_name_from_two():
    taken = {"talk", "talk-2"}
    assert files.unique("talk", taken.__contains__) == "talk-3"
    assert files.unique("other", taken.__contains__) == "other"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("the-lighthouse_keeper.mp3", "The lighthouse keeper"),
        ("2024/ep.01 final.mp3", "Ep 01 final"),
        ("talk.final.mp3", "Talk final"),
        ("---.mp3", "Untitled episode"),
        ("bell\x07.mp3", "Bell"),
    ],
)
def test_title_from_filename_reads_the_name_without_its_extension(name, title):
    assert files.title_from_filename(name) == title


def test_write_new_never_replaces_a_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "art.jpg"
    assert files.write_new(target, b"first") is True
    assert files.write_new(target, b"second") is False
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["art.jpg"]


def test_place_takes_the_first_name_free_on_disk_and_unclaimed(tmp_path):
    (tmp_path / "talk.mp3").write_bytes(b"someone else's")
    temporary = tmp_path / ".upload.part"
    temporary.write_bytes(b"new audio")
    claimed = {"talk-2.mp3"}
    name = files.place(temporary, tmp_path, "talk", ".mp3", claimed.__contains__)
    assert name == "talk-3.mp3"
    assert (tmp_path / name).read_bytes() == b"new audio"
    assert (tmp_path / "talk.mp3").read_bytes() == b"someone else's"
    assert not temporary.exists()


def test_without_hard_links_the_content_is_copied_never_over_a_file(
    tmp_path, monkeypatch
):
    def no_links(source, target):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    source = tmp_path / "source"
    source.write_bytes(b"data")
    assert files.link_new(source, tmp_path / "copy") is True
    assert (tmp_path / "copy").read_bytes() == b"data"
    assert files.link_new(source, tmp_path / "copy") is False
    assert files.write_new(tmp_path / "copy", b"other") is False
    assert (tmp_path / "copy").read_bytes() == b"data"
    temporary = tmp_path / ".upload.part"
    temporary.write_bytes(b"audio")
    assert files.place(temporary, tmp_path, "copy", "", lambda name: False) == "copy-2"
    assert not temporary.exists()
