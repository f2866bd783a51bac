"""Files of the media folder as episodes name them: slugs and titles made from
names, free names, and new files that appear whole or not at all.

Used by the import of the folder and by the host's uploads alike.
"""

import itertools
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from ..models import Episode
from ..text.plain import xml_safe

# Room for a "-123" suffix when the slug is taken.
_SLUG_ROOM = Episode.slug.type.length - 10


def slugify(text: str | None) -> str:
    """Return a lowercase ASCII slug for `text`; "episode" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode("ascii").lower())
    return slug.strip("-")[:_SLUG_ROOM].strip("-") or "episode"


def numbered(base: str) -> Iterator[str]:
    """Yield `base`, then `base-2`, `base-3` and so on."""
    yield base
    for n in itertools.count(2):
        yield f"{base}-{n}"


def unique(base: str, taken: Callable[[str], bool]) -> str:
    """Return the first of `numbered(base)` that is not `taken`."""
    return next(name for name in numbered(base) if not taken(name))


def title_from_filename(filename: str) -> str:
    """Return a file's name as a title: "the-lighthouse_keeper.mp3" → "The
    lighthouse keeper". Never empty, as the title column demands."""
    words = re.sub(r"[\s_.-]+", " ", xml_safe(PurePosixPath(filename).stem)).strip()
    return words[:1].upper() + words[1:] if words else "Untitled episode"


# The endings podcast apps (and Apple's rules) want on an image URL, and the
# spellings of each that a file may have.
_ART_SPELLINGS = {".jpg": (".jpg", ".jpeg"), ".png": (".png",)}


def art_name(name: str) -> str:
    """Return the name an image is linked by: its extension as Apple wants it.

    `talk.jpeg`, `talk.JPG` → `talk.jpg`; `Cover.PNG` → `Cover.png`; any other
    name stays. /media/ serves the image under both names.
    """
    path = PurePosixPath(name)
    suffix = path.suffix.lower()
    for ending, spellings in _ART_SPELLINGS.items():
        if suffix in spellings:
            return name[: len(name) - len(path.suffix)] + ending
    return name


def art_spellings(name: str) -> tuple[str, tuple[str, ...]]:
    """Return the stem of an `art_name` and the lowercase extensions it stands
    for, or (name, ()) for a name that is not one."""
    suffix = PurePosixPath(name).suffix
    spellings = _ART_SPELLINGS.get(suffix, ())
    return name[: len(name) - len(suffix)], spellings


def link_new(source: Path, target: Path) -> bool:
    """Give the file at `source` the name `target` too, unless a file has that
    name; return whether it did. `source` stays: the caller removes it.

    One step (a hard link): nobody sees half a file under `target`, and a file
    there, even one that appeared a moment ago, is never overwritten. Where the
    file system has no hard links (FAT, some network shares), the content is
    copied into a file made only if none is there.
    """
    try:
        os.link(source, target)
    except FileExistsError:
        return False
    except OSError:
        try:
            with open(source, "rb") as data, open(target, "xb") as out:
                shutil.copyfileobj(data, out)
        except FileExistsError:
            return False
    return True


def write_new(target: Path, data: bytes) -> bool:
    """Write `data` to a new file at `target`; leave a file already there alone.

    The data goes to a hidden temporary file first and takes the name in one
    step (`link_new`), so a crash never leaves half a file under the final
    name. Returns whether the file was written.
    """
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(data)
        return link_new(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def place(
    temporary: Path,
    folder: Path,
    stem: str,
    suffix: str,
    taken: Callable[[str], bool],
) -> str:
    """Move `temporary` to the first free name `stem[-n]suffix` in `folder`; return
    that name.

    A name is free when no file has it and `taken` says no one claims it. Never
    overwrites a file, even one that appears meanwhile.
    """
    names = (f"{base}{suffix}" for base in numbered(stem))
    name = next(n for n in names if not taken(n) and link_new(temporary, folder / n))
    temporary.unlink()
    return name
