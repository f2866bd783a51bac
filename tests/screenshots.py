"""Take the README's screenshots of the demo show: `make screenshots`.

Serves the demo (`hub demo`) from a throwaway database on a free port, walks it in
Debian's Chromium at 1280 and 375 px as a listener and as the host, and writes the
PNGs to `podcast_hub/static/screenshots/`.
"""

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from .browser import CHROMIUM, LAUNCH_ARGS, ROOT
from .services import free_port

OUT = ROOT / "podcast_hub" / "static" / "screenshots"
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def serve_demo(folder):
    """Load the demo into a database in `folder`, serve it; return the server,
    its address and the demo host's login."""
    env = {
        **os.environ,
        "PODCAST_HUB_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}",
        "PODCAST_HUB_DEMO_PASSWORD_FILE": str(folder / "demo-password"),
        "PODCAST_HUB_SECRET_KEY": "screenshots-only",
    }
    subprocess.run([*FLASK, "db", "upgrade"], env=env, cwd=ROOT, check=True)
    loaded = subprocess.run(
        [*FLASK, "hub", "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    email, password = re.search(r"as (\S+) with password (\S+)", loaded).groups()
    port = free_port()
    server = subprocess.Popen(
        [*FLASK, "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, base, (email, password)


def take(page, name):
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server, base, (email, password) = serve_demo(Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=LAUNCH_ARGS
                )
                for width, height in ((1280, 900), (375, 812)):
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.goto(base + "/")
                    take(page, f"home-{width}")
                    slug = page.locator("a[href^='/episodes/']").first.get_attribute(
                        "href"
                    )
                    page.goto(base + slug)
                    take(page, f"episode-{width}")
                    page.goto(base + "/login")
                    page.fill("input[name=email]", email)
                    page.fill("input[name=password]", password)
                    page.click("form button[type=submit]")
                    page.wait_for_url(base + "/dashboard")
                    take(page, f"dashboard-{width}")
                    page.close()
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
