"""Cover art checked against Apple's rules, with Pillow.

The only module that imports Pillow. Apple Podcasts wants artwork square,
1400 to 3000 px on a side, JPEG or PNG named with the matching extension, in
the RGB colour space. Other apps are laxer; a cover that breaks a rule still
works in most of them, so those checks give warnings.

An image that cannot be used at all is refused (NotAnImage): empty, unreadable,
damaged, or claiming more pixels than any cover art has. The size is read from
the header before anything is decoded, so a "decompression bomb" of a few KB
that claims billions of pixels costs nothing.
"""

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from PIL import Image, ImageDraw

MIN_SIDE_PX = 1400
MAX_SIDE_PX = 3000

# The most pixels an image may claim, 5000×5000: well past Apple's largest cover,
# and a size that decodes in well under a second.
MAX_PIXELS = 25_000_000
_ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
_SUFFIX_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
_RGB_MODES = frozenset({"RGB", "RGBA", "RGBX", "P", "PA"})
_MODE_NAMES = {"1": "black and white", "L": "greyscale", "LA": "greyscale"}
_SIZE_RULE = f"Apple wants {MIN_SIDE_PX} to {MAX_SIDE_PX} px square"
# A path to the image, or its bytes.
ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview
FILE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


class NotAnImage(ValueError):
    """The data is not an image we use; the message says why, after a name."""


@dataclass(frozen=True)
class ImageFacts:
    """What an image's header and data say about it."""

    format: str  # Pillow's name: "JPEG", "PNG", "GIF", ...
    width_px: int
    height_px: int
    mode: str  # Pillow's colour mode: "RGB", "CMYK", "L", ...

    @property
    def suffix(self) -> str | None:
        """Return the file name ending for this format (".jpg"), or None."""
        return FILE_SUFFIXES.get(_ACCEPTED_FORMATS.get(self.format, self.format))

    def warnings(self, name: str) -> list[str]:
        """Return a human warning, starting with `name`, for each rule broken.

        When `name` ends with an image file extension, the data must match it.
        """
        found = []
        kind = _ACCEPTED_FORMATS.get(self.format)
        if kind is None:
            found.append(f"{name} is {self.format}; Apple wants JPEG or PNG")
        named = _SUFFIX_FORMATS.get(PurePosixPath(name).suffix.lower())
        if kind and named and named != kind:
            found.append(f"{name} holds {kind} data; name it {FILE_SUFFIXES[kind]}")
        width, height = self.width_px, self.height_px
        if width != height or not MIN_SIDE_PX <= width <= MAX_SIDE_PX:
            found.append(f"{name} is {width}×{height} px; {_SIZE_RULE}")
        if self.mode not in _RGB_MODES:
            space = _MODE_NAMES.get(self.mode, self.mode)
            found.append(f"{name} uses the {space} colour space; Apple wants RGB")
        return found


def check(source: ImageSource, name: str, *, decode: bool = True) -> list[str]:
    """Return human warnings for cover art that breaks Apple's rules; [] if none.

    `source` is a path or the image bytes; `name` starts each warning, as in
    "cover.png is 1000×1000 px; Apple wants 1400 to 3000 px square". Raises
    NotAnImage, its message starting with `name`, for an image that must not be
    used (see `inspect`). With `decode` false only the header is read: quick,
    but blind to damage further in.
    """
    try:
        facts = inspect(source, decode=decode)
    except NotAnImage as error:
        raise NotAnImage(f"{name} {error}") from None
    return facts.warnings(name)


def inspect(source: ImageSource, *, decode: bool = True) -> ImageFacts:
    """Return the ImageFacts of the image at a path or in bytes.

    Raises NotAnImage, with a reason that follows a name ("... is empty"), for
    an empty, unreadable or damaged image and, from its header alone, for one
    claiming more than MAX_PIXELS. With `decode`, decodes the whole image to
    find damaged data.
    """
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            if not source:
                raise NotAnImage("is empty")
            return _inspect(io.BytesIO(source), decode)
        if os.path.getsize(source) == 0:
            raise NotAnImage("is empty")
        with open(source, "rb") as fileobj:
            return _inspect(fileobj, decode)
    except FileNotFoundError:
        raise NotAnImage("cannot be found") from None
    except IsADirectoryError:
        raise NotAnImage("is a folder, not an image") from None
    except PermissionError:
        raise NotAnImage("cannot be opened: permission denied") from None


def _inspect(fileobj: IO[bytes], decode: bool) -> ImageFacts:
    # Pillow warns (DecompressionBombWarning), then refuses, past its own limits,
    # which are far above ours: the size is judged here, before decoding.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(fileobj)
        except Image.DecompressionBombError:
            raise NotAnImage(_too_large()) from None
        except Image.UnidentifiedImageError:
            raise NotAnImage(
                "is not a readable image (unknown format or damaged)"
            ) from None
        # Damaged headers raise many kinds of errors: all mean "damaged".
        except Exception:
            raise NotAnImage("is damaged and cannot be read as an image") from None
        with image:
            facts = ImageFacts(image.format or "unknown", *image.size, image.mode)
            if facts.width_px * facts.height_px > MAX_PIXELS:
                raise NotAnImage(_too_large(facts))
            if decode:
                try:
                    image.load()
                except Exception:
                    raise NotAnImage("is damaged or cut short") from None
    return facts


def _too_large(facts: ImageFacts | None = None) -> str:
    size = f" ({facts.width_px}×{facts.height_px} px)" if facts else ""
    return (
        f"claims more than {MAX_PIXELS // 1_000_000} megapixels{size}, "
        f"too large for cover art; {_SIZE_RULE}"
    )


# The sizes a browser picks from for a tab, a bookmark and a shortcut.
FAVICON_SIZES = (16, 32, 48)
# The default icon when the show has no usable cover: the site's accent colour
# (style.css `--accent`) with a white "play" mark.
_FAVICON_BACKGROUND = (90, 46, 166, 255)
_FAVICON_MARK = (255, 255, 255, 255)


def favicon(source: ImageSource | None) -> bytes:
    """Return an ICO file of FAVICON_SIZES made from the image at `source` (its
    centre, cropped square), or the default icon for None.

    Raises NotAnImage as `inspect` does, for a cover that must not be used.
    """
    largest = max(FAVICON_SIZES)
    if source is None:
        icon = _default_icon(largest * 4).resize(
            (largest, largest), Image.Resampling.LANCZOS
        )
    else:
        inspect(source, decode=False)
        opened: str | os.PathLike[str] | IO[bytes]
        if isinstance(source, bytes | bytearray | memoryview):
            opened = io.BytesIO(bytes(source))
        else:
            opened = source
        try:
            with Image.open(opened) as image:
                image.draft("RGB", (largest * 2, largest * 2))
                icon = _square(image.convert("RGBA"))
                icon.thumbnail((largest, largest), Image.Resampling.LANCZOS)
        except Exception:
            raise NotAnImage("is damaged and cannot be read as an image") from None
    out = io.BytesIO()
    icon.save(out, format="ICO", sizes=[(side, side) for side in FAVICON_SIZES])
    return out.getvalue()


def _square(image: Image.Image) -> Image.Image:
    """Return the centre of `image`, cropped square."""
    side = min(image.size)
    left = (image.width - side) // 2
    top = (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def _default_icon(side: int) -> Image.Image:
    icon = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle(
        (0, 0, side - 1, side - 1), radius=side // 5, fill=_FAVICON_BACKGROUND
    )
    # A play triangle, a little right of centre so it looks centred.
    draw.polygon(
        [
            (side * 0.38, side * 0.27),
            (side * 0.38, side * 0.73),
            (side * 0.76, side * 0.50),
        ],
        fill=_FAVICON_MARK,
    )
    return icon
