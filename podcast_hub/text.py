"""Plain text made into safe HTML: paragraphs and line breaks, all else escaped."""

import re

from markupsafe import Markup, escape

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text):
    """Return `text` as escaped `<p>` paragraphs, single newlines as `<br>`."""
    blocks = [block.strip() for block in _PARAGRAPH_BREAK.split(text or "")]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(map(escape, block.split("\n"))))
        for block in blocks
        if block
    )
