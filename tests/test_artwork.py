"""Checking cover art against Apple's rules, and refusing broken or bomb images."""

import io

import pytest
from PIL import Image

from podcast_hub.library import artwork

from .helpers import png_claiming

SIZE_RULE = "Apple wants 1400 to 3000 px square"


def image_bytes(size=(1400, 1400), fmt="JPEG", mode="RGB"):
    """Return a solid-colour image encoded as `fmt`."""
    buffer = io.BytesIO()
    Image.new(mode, size, "teal" if mode == "RGB" else 128).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cover.jpg", image_bytes((1400, 1400), "JPEG")),
        ("cover.jpeg", image_bytes((3000, 3000), "JPEG")),
        ("cover.png", image_bytes((2048, 2048), "PNG")),
        ("cover.png", image_bytes((1400, 1400), "PNG", "RGBA")),
        ("cover.png", image_bytes((1400, 1400), "PNG", "P")),
        ("embedded cover art", image_bytes((1400, 1400), "PNG")),
    ],
)
def test_art_that_follows_the_rules_gives_no_warning(tmp_path, name, data):
    path = tmp_path / "cover"
    path.write_bytes(data)

    assert artwork.check(data, name) == []
    assert artwork.check(path, name) == []
    assert artwork.check(str(path), name) == []


@pytest.mark.parametrize(
    ("name", "data", "warnings"),
    [
        (
            "cover.png",
            image_bytes((1000, 1000), "PNG"),
            [f"cover.png is 1000×1000 px; {SIZE_RULE}"],
        ),
        (
            "cover.jpg",
            image_bytes((1400, 1500), "JPEG"),
            [f"cover.jpg is 1400×1500 px; {SIZE_RULE}"],
        ),
        (
            "cover.jpg",
            image_bytes((3001, 3001), "JPEG"),
            [f"cover.jpg is 3001×3001 px; {SIZE_RULE}"],
        ),
        (
            "cover.gif",
            image_bytes((1400, 1400), "GIF"),
            ["cover.gif is GIF; Apple wants JPEG or PNG"],
        ),
        (
            "cover.jpg",
            image_bytes((1400, 1400), "JPEG", "CMYK"),
            ["cover.jpg uses the CMYK colour space; Apple wants RGB"],
        ),
        (
            "cover.png",
            image_bytes((1400, 1400), "PNG", "L"),
            ["cover.png uses the greyscale colour space; Apple wants RGB"],
        ),
        (
            "cover.jpg",
            image_bytes((1400, 1400), "PNG"),
            ["cover.jpg holds PNG data; name it .png"],
        ),
        (
            "cover.png",
            image_bytes((600, 400), "JPEG", "L"),
            [
                "cover.png holds JPEG data; name it .jpg",
                f"cover.png is 600×400 px; {SIZE_RULE}",
                "cover.png uses the greyscale colour space; Apple wants RGB",
            ],
        ),
    ],
)
def test_each_broken_rule_is_a_warning(name, data, warnings):
    assert artwork.check(data, name) == warnings


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "cover.png is empty"),
        (b"<html>not an image</html>", "cover.png is not a readable image"),
        (image_bytes((1400, 1400), "PNG")[:300], "cover.png is damaged or cut short"),
        (image_bytes((1400, 1400), "JPEG")[:2000], "cover.png is damaged or cut"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cover.png is not a readable image"),
        (png_claiming(4000, 4000), "cover.png is damaged or cut short"),
        # Past Pillow's own limit: Pillow refuses it from the header.
        (
            png_claiming(100_000, 100_000),
            f"cover.png claims more than 25 megapixels, too large for cover art; "
            f"{SIZE_RULE}",
        ),
    ],
)
def test_unreadable_images_are_refused_with_the_reason(data, reason):
    with pytest.raises(artwork.NotAnImage) as refused:
        artwork.check(data, "cover.png")

    assert str(refused.value).startswith(reason)


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (50_000, 50_000),  # past Pillow's own error limit
        (10_000, 10_000),  # between Pillow's warning and error limits
        (6000, 6000),  # below Pillow's limits, above ours
        (25_000_001, 1),
    ],
)
def test_an_image_claiming_too_many_pixels_is_refused_from_its_header(
    tmp_path, width, height
):
    """A PNG of a hundred bytes that claims 50,000×50,000 px is refused before
    any decoding, whatever the source; Pillow's DecompressionBombWarning never
    escapes (warnings are errors in the tests)."""
    data = png_claiming(width, height)
    assert len(data) < 200
    path = tmp_path / "bomb.png"
    path.write_bytes(data)

    for source in (data, path):
        for decode in (True, False):
            with pytest.raises(artwork.NotAnImage, match="more than 25 megapixels"):
                artwork.inspect(source, decode=decode)
            with pytest.raises(artwork.NotAnImage, match="^bomb.png claims more"):
                artwork.check(source, "bomb.png", decode=decode)


def test_an_image_at_the_pixel_limit_is_judged_by_apples_rules():
    data = png_claiming(5000, 5000)

    assert artwork.check(data, "cover.png", decode=False) == [
        f"cover.png is 5000×5000 px; {SIZE_RULE}"
    ]


def test_header_only_check_skips_decoding():
    cut_short = image_bytes((1400, 1400), "JPEG")[:2000]

    assert artwork.check(cut_short, "cover.jpg", decode=False) == []
    with pytest.raises(artwork.NotAnImage, match="^cover.jpg is damaged or cut short"):
        artwork.check(cut_short, "cover.jpg")


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(artwork.NotAnImage, match="^gone.png cannot be found$"):
        artwork.check(tmp_path / "gone.png", "gone.png")
    with pytest.raises(artwork.NotAnImage, match="^art is a folder, not an image$"):
        artwork.check(tmp_path, "art")


def test_inspect_gives_format_size_mode_and_file_ending():
    facts = artwork.inspect(image_bytes((1400, 1500), "PNG"))

    assert facts == artwork.ImageFacts("PNG", 1400, 1500, "RGB")
    assert facts.suffix == ".png"
    assert artwork.inspect(image_bytes(fmt="JPEG")).suffix == ".jpg"
    assert artwork.inspect(image_bytes(fmt="GIF")).suffix == ".gif"
    assert artwork.inspect(image_bytes(fmt="BMP")).suffix is None


def test_inspect_raises_not_an_image():
    with pytest.raises(artwork.NotAnImage, match="^is not a readable image"):
        artwork.inspect(b"%PDF-1.7")
