"""In Chromium: every page's icon loads and decodes, and no page asks for
anything that is not there (no 404 on the console)."""

import pytest
import sqlalchemy as sa
from PIL import Image

from podcast_hub.models import Show

from .browser import make_lighthouse, require_chromium
from .helpers import scalar, update

require_chromium()

DECODE_ICON = """async () => {
    const link = document.querySelector('link[rel="icon"]');
    const image = new Image();
    image.src = link.href;
    await image.decode();
    return [new URL(link.href).pathname, image.naturalWidth];
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_no_page_asks_for_a_missing_file_and_the_icon_decodes(
    open_page, browser, live_server, media_dir, width
):
    make_lighthouse(media_dir)
    Image.new("RGB", (1400, 1400), "teal").save(media_dir / "cover.png")
    update(scalar(sa.select(Show)), cover="cover.png")
    failed = []
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.on(
        "response",
        lambda response: (
            response.status >= 400 and failed.append((response.status, response.url))
        ),
    )
    for path in ["/", "/episodes/lighthouse", "/login"]:
        page = open_page(path, context=context)
        page.wait_for_load_state("load")
        where, width_px = page.evaluate(DECODE_ICON)
        assert where == "/favicon.ico" and width_px in (16, 32, 48), path
        page.close()
    context.close()
    assert failed == []
