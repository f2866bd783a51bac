"""The site's icon: /favicon.ico made from the show's cover, else a default,
linked from every page so that no browser asks for a missing one."""

import io
import os

import pytest
from PIL import Image

from podcast_hub.library import artwork

from .helpers import make_episode, make_show, update


def icon_of(response):
    """Return the ICO in `response`, checked, with its largest image in RGB."""
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "ICO"
    assert set(image.info["sizes"]) == {(16, 16), (32, 32), (48, 48)}
    return image


def centre(image):
    return image.convert("RGB").getpixel((24, 24))


def test_without_a_show_the_default_icon_is_served(client):
    image = icon_of(client.get("/favicon.ico"))
    assert centre(image) == (255, 255, 255)  # the play mark
    assert image.convert("RGB").getpixel((4, 24)) == (90, 46, 166)  # the accent


def test_the_icon_is_made_from_the_shows_cover(client, media_dir):
    # A wide cover: its centre is red, its sides (cropped away) blue.
    cover = Image.new("RGB", (1800, 1400), "blue")
    cover.paste((220, 20, 20), (200, 0, 1600, 1400))
    cover.save(media_dir / "cover.png")
    make_show(cover="cover.png")

    image = icon_of(client.get("/favicon.ico"))

    assert all(
        channel in range(c - 3, c + 4)
        for channel, c in zip(
            image.convert("RGB").getpixel((1, 24)), (220, 20, 20), strict=True
        )
    )


def test_a_new_cover_makes_a_new_icon(client, media_dir):
    Image.new("RGB", (1400, 1400), "red").save(media_dir / "cover.png")
    make_show(cover="cover.png")
    first = client.get("/favicon.ico")
    assert centre(icon_of(first)) == (255, 0, 0)
    assert (
        client.get(
            "/favicon.ico", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )

    Image.new("RGB", (1400, 1400), "lime").save(media_dir / "cover.png")
    stat = (media_dir / "cover.png").stat()
    os.utime(media_dir / "cover.png", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    assert centre(icon_of(client.get("/favicon.ico"))) == (0, 255, 0)


@pytest.mark.parametrize("cover", ["missing.png", "broken.png", None])
def test_a_missing_or_broken_cover_gives_the_default_icon(client, media_dir, cover):
    (media_dir / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    make_show(cover=cover)
    assert centre(icon_of(client.get("/favicon.ico"))) == (255, 255, 255)


def test_every_page_links_the_icon(client, auth):
    show = make_show(cover=None)
    make_episode(slug="storm")
    update(show, title="Storm Show")
    pages = ["/", "/episodes/storm", "/login", "/no-such-page"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        assert '<link rel="icon" href="/favicon.ico"' in html, path
    auth.login()
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in html


def test_the_favicon_reads_a_cover_of_any_shape(tmp_path):
    path = tmp_path / "tall.jpg"
    Image.new("RGB", (300, 900), "navy").save(path)
    ico = Image.open(io.BytesIO(artwork.favicon(path)))
    assert ico.size == (48, 48)
    with pytest.raises(artwork.NotAnImage):
        artwork.favicon(b"")
