"""What the browser tests share: Debian's Chromium, where screenshots go, audio."""

import os
from pathlib import Path

import pytest

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
