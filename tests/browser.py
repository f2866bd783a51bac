"""What the browser tests share: Debian's Chromium, where screenshots go, audio."""

import os
import shutil
import time
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


def wait_until(page, expression, timeout_s=10):
    """Wait until the JavaScript `expression` is true in `page`.

    Playwright's `wait_for_function` evaluates its expression with `eval`, which
    the pages' Content-Security-Policy forbids; `page.evaluate` is not bound by it.
    """
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        page.wait_for_timeout(25)
