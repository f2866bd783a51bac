"""Publishing: drafts stay private, scheduled episodes go out on their own."""

from datetime import timedelta

import pytest

from .helpers import (
    make_chapter,
    make_comment,
    make_episode,
    make_show,
    make_transcript,
)

SLUG = "next-week"


def surfaces(slug):
    """Return what each public place says about the episode at `slug`."""
    return {
        "/feed.xml": f"/episodes/{slug}",
        "/": f"/episodes/{slug}",
        "/api/episodes": f'"{slug}"',
        f"/episodes/{slug}": None,
        f"/api/episodes/{slug}": None,
        f"/api/episodes/{slug}/comments": None,
        f"/episodes/{slug}/comments.xml": None,
        f"/episodes/{slug}/chapters.json": None,
        f"/media/{slug}.mp3": None,
        f"/media/{slug}.vtt": None,
        f"/media/{slug}.jpg": None,
    }


def seen(client, slug):
    """Return {path: whether it shows the episode at `slug`}."""
    return {path: visible(client, path, n) for path, n in surfaces(slug).items()}


def visible(client, path, needle):
    """Tell whether `path` shows the episode: by a 200, or `needle` in a listing."""
    with client.get(path) as response:
        if needle is None:
            assert response.status_code in (200, 404), path
            return response.status_code == 200
        assert response.status_code == 200, path
        return needle in response.get_data(as_text=True)


@pytest.fixture
def upcoming(app, media_dir, clock):
    """Return a function making the episode at SLUG with a given `published_at`."""
    make_show()
    make_episode(slug="already-out", published_at=clock.now - timedelta(days=1))
    for suffix in ("mp3", "vtt", "jpg"):
        (media_dir / f"{SLUG}.{suffix}").write_bytes(b"\0" * 64)

    def make(published_at):
        episode = make_episode(
            slug=SLUG,
            audio_file=f"{SLUG}.mp3",
            image=f"{SLUG}.jpg",
            published_at=published_at,
        )
        make_chapter(episode)
        make_transcript(episode, file=f"{SLUG}.vtt")
        make_comment(episode)
        return episode

    return make


def test_scheduled_episode_appears_everywhere_when_its_moment_passes(
    client, upcoming, clock
):
    upcoming(clock.now + timedelta(seconds=2))
    assert seen(client, SLUG) == dict.fromkeys(surfaces(SLUG), False)
    clock.advance(seconds=3)
    assert seen(client, SLUG) == dict.fromkeys(surfaces(SLUG), True)


def test_draft_is_nowhere(client, upcoming, clock):
    upcoming(None)
    clock.advance(days=365)
    assert seen(client, SLUG) == dict.fromkeys(surfaces(SLUG), False)
    assert visible(client, "/feed.xml", "/episodes/already-out")


def test_episode_out_at_this_very_moment_is_published(client, upcoming, clock):
    upcoming(clock.now)
    assert visible(client, "/feed.xml", f"/episodes/{SLUG}")
    assert visible(client, f"/episodes/{SLUG}", None)
