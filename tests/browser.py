"""What the browser tests share: Debian's Chromium, pages of the live server that
fail the test on any script error or anything the Content-Security-Policy
blocks, waiting for what the page does, screenshots and audio."""

import os
import shutil
from pathlib import Path

import pytest

from .helpers import make_episode, make_show

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DEMO_AUDIO = ROOT / "episodes" / "02-the-lighthouse-keeper.m4a"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


def require_chromium():
    """Skip the calling test module without Chromium; in CI, fail instead."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(
                f"{CHROMIUM} is missing: .ci/run must install Debian's chromium"
            )
        pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


class Pages:
    """Opens pages of the live server, each in a fresh browser context unless
    given one; `check()` fails on any uncaught script error or anything the
    Content-Security-Policy blocked on any of them."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.errors = []

    def __call__(self, path, javascript=True, width=1280, context=None):
        """Open `path` and return the page."""
        if context is None:
            context = self.browser.new_context(
                java_script_enabled=javascript,
                viewport={"width": width, "height": 900},
            )
            self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)
        page.goto(f"{self.base_url}{path}")
        if javascript:
            # Set once; still there later means the page never reloaded.
            page.evaluate("window.stayedOnPage = true")
        return page

    def _console(self, message):
        # What the Content-Security-Policy blocks is reported on the console.
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def check(self):
        """Close the contexts opened here; fail on what went wrong in the pages."""
        for context in self.contexts:
            context.close()
        assert self.errors == []


def make_lighthouse(media_dir, **overrides):
    """Return a published episode with real audio (the demo's M4A), on a show."""
    shutil.copyfile(DEMO_AUDIO, media_dir / "lighthouse.m4a")
    make_show(title="Moments", cover=None)
    values = {
        "slug": "lighthouse",
        "title": "The Lighthouse Keeper",
        "audio_file": "lighthouse.m4a",
        "mime_type": "audio/mp4",
        "size_bytes": DEMO_AUDIO.stat().st_size,
        "duration_s": 40,
    }
    return make_episode(**{**values, **overrides})


_WAIT_UNTIL = """(timeout) => new Promise((resolve) => {
    const deadline = performance.now() + timeout;
    const check = () => {
        if (EXPRESSION) resolve(true);
        else if (performance.now() > deadline) resolve(false);
        else setTimeout(check, 10);
    };
    check();
})"""


def wait_until(page, expression, timeout_s=10):
    """Wait until the JavaScript `expression` is true in `page`.

    The page itself checks it after each of its tasks. Playwright's
    `wait_for_function` would `eval` it, which the pages' Content-Security-Policy
    forbids; what `page.evaluate` runs is not bound by it.
    """
    became_true = page.evaluate(
        _WAIT_UNTIL.replace("EXPRESSION", expression), timeout_s * 1000
    )
    assert became_true, f"still false after {timeout_s} s: {expression}"


def seek(page, seconds, timeout_s=10):
    """Move the player (its metadata loaded) to `seconds`; return once the page
    has handled the move: its own `seeked` listeners run before this one."""
    seeked = page.evaluate(
        """([seconds, timeout]) => new Promise((resolve) => {
            const player = document.getElementById("player");
            const timer = setTimeout(() => resolve(false), timeout);
            const done = () => {
                clearTimeout(timer);
                resolve(true);
            };
            player.addEventListener("seeked", done, { once: true });
            player.currentTime = seconds;
        })""",
        [seconds, timeout_s * 1000],
    )
    assert seeked, f"the player did not move to {seconds} s"


def click_far_down(page, locator):
    """Click `locator`, far down an episode page, once the player bar has docked.

    Scrolling to it docks the bar at the bottom of the screen a frame later; a
    click aimed before then can land on the bar that came over its target.
    """
    locator.scroll_into_view_if_needed()
    docked = "document.getElementById('player-bar').classList.contains('is-docked')"
    wait_until(page, docked)
    locator.click()
