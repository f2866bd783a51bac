"""Built as a wheel and installed anywhere, the package serves every page.

The wheel goes with its dependencies into a fresh virtual environment and runs
from an unrelated folder, so nothing it needs can come from this checkout.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, ProxyHandler, build_opener

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_MEDIA = [
    "01-welcome-to-moments.mp3",
    "02-the-lighthouse-keeper.m4a",
    "03-listening-back.ogg",
    "cover.png",
]
RUNNING_ON = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")
LOGIN = re.compile(r"Log in at /login as (\S+) with password (\S+)")
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LINKED_ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)')

pytestmark = pytest.mark.slow


def _run(command, **options):
    """Run `command`; fail with its output unless it exits 0."""
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """Return a copy of the checkout, as a fresh clone would have it.

    The wheel is built from it and the served files are compared with it, so
    edits made in the checkout meanwhile change neither.
    """
    source = tmp_path_factory.mktemp("source") / "podcast-hub"
    # Links stay links: the package's templates/ points at the top-level folder.
    shutil.copytree(ROOT, source, symlinks=True, ignore=_not_source)
    return source


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory):
    """Build the wheel."""
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, source])
    (built,) = dist.glob("podcast_hub-*.whl")
    return built


def _not_source(folder, names):
    """Return the names in `folder` that a checkout may hold and a build never reads."""
    left_out = {
        name
        for name in names
        if name.startswith(".")
        or name.endswith(".egg-info")
        or name in {"__pycache__", "node_modules"}
    }
    if Path(folder) == ROOT:
        left_out |= {"build", "dist", "instance", "test-artifacts"} & set(names)
    return left_out


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """Return the bin/ of a new virtual environment holding the wheel."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    # This pip installs into the new environment, dependencies from the index;
    # no byte-compiling, which the first import does anyway.
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install"]
        + ["--no-compile", "--quiet", wheel]
    )
    return venv / "bin"


@pytest.fixture(scope="module")
def elsewhere(installed, tmp_path_factory):
    """Return the folder and environment the installed commands run in."""
    folder = tmp_path_factory.mktemp("elsewhere")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PODCAST_HUB_", "FLASK_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PODCAST_HUB_DATABASE_URL"] = f"sqlite:///{folder / 'hub.sqlite'}"
    env["PODCAST_HUB_MEDIA_DIR"] = str(folder / "media")
    return folder, env


@pytest.fixture(scope="module")
def site(installed, elsewhere):
    """Upgrade an empty database, load the demo and serve it; yield its address.

    Also yields the demo host's e-mail address and password.
    """
    folder, env = elsewhere
    flask = [installed / "flask", "--app", "podcast_hub"]
    _run([*flask, "db", "upgrade"], cwd=folder, env=env)
    demo = _run([*flask, "hub", "demo"], cwd=folder, env=env)
    email, password = LOGIN.search(demo.stdout).groups()

    server = subprocess.Popen(
        [*flask, "run", "--port", "0"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The server says its port on stderr; reading on keeps the pipe from filling.
    lines = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(server.stderr, lines))
    reader.start()
    try:
        said = ""
        while not (address := RUNNING_ON.search(said)):
            line = lines.get(timeout=60)
            assert line, f"the server stopped:\n{said}"
            said += line
        yield address.group(1), email, password
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=30)
        server.stderr.close()


def _read_lines(stream, lines):
    """Put each line of `stream` on the queue `lines`, then "" at its end."""
    for line in stream:
        lines.put(line)
    lines.put("")


def _opener(*handlers):
    """Return a URL opener that goes straight to the local server."""
    return build_opener(ProxyHandler({}), *handlers)


def _get(opener, url):
    """Return the status, content type and body that `url` answers."""
    with opener.open(url, timeout=30) as response:
        body = response.read()
        content_type = response.headers.get_content_type()
        if content_type == "application/json":
            body = json.dumps(json.loads(body)).encode()
        return response.status, content_type, body


def test_the_wheel_holds_every_module_template_migration_and_static_file(source, wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = source / "podcast_hub"
    expected = {
        *(p.relative_to(source).as_posix() for p in package.rglob("*.py")),
        # Every file below static/, in folders too (the README's screenshots).
        *(p.relative_to(source).as_posix() for p in _files(package / "static")),
        # templates/ and migrations/ are links to the top-level folders.
        *(
            "podcast_hub/" + p.relative_to(source).as_posix()
            for p in [*_files(source / "templates"), *_files(source / "migrations")]
        ),
        *(f"podcast_hub/cli/demo_media/{name}" for name in DEMO_MEDIA),
    }
    assert any(name.endswith(".txt") for name in expected), "mail templates"
    assert expected - names == set()


def _files(folder):
    """Return the files below `folder` that a checkout holds, at any depth."""
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]


def test_the_installed_package_is_not_the_checkout(installed, elsewhere):
    folder, env = elsewhere
    done = _run(
        [installed / "python", "-c", "import podcast_hub; print(podcast_hub.__file__)"],
        cwd=folder,
        env=env,
    )
    assert Path(done.stdout.strip()).is_relative_to(installed.parent)


def test_the_demo_copies_its_audio_and_cover_into_the_media_folder(
    source, site, elsewhere
):
    folder, _env = elsewhere
    for name in DEMO_MEDIA:
        copied = folder / "media" / name
        assert copied.read_bytes() == (source / "episodes" / name).read_bytes()


@pytest.mark.parametrize(
    ("path", "content_type", "text"),
    [
        ("/", "text/html", b"Moments"),
        ("/feed.xml", "application/rss+xml", b"<title>Welcome to Moments</title>"),
        ("/login", "text/html", b"Host login"),
        ("/api/episodes", "application/json", b'"title": "Listening Back"'),
        ("/healthz", "application/json", b'"status": "ok"'),
        ("/static/style.css", "text/css", b"{"),
    ],
)
def test_every_page_answers_from_the_installed_package(site, path, content_type, text):
    base, _email, _password = site
    status, served_type, body = _get(_opener(), base + path)
    assert (status, served_type) == (200, content_type)
    assert text in body


def test_each_episode_page_shows_its_conversation(site):
    base, _email, _password = site
    opener = _opener()
    episodes = json.loads(_get(opener, base + "/api/episodes")[2])
    assert len(episodes) == 3
    for episode in episodes:
        status, content_type, body = _get(opener, episode["page_url"])
        assert (status, content_type) == (200, "text/html")
        assert episode["title"].encode() in body
        assert body.count(b'<article class="comment ') == episode["comment_count"]


@pytest.mark.parametrize("name", DEMO_MEDIA)
def test_the_demo_media_is_served(source, site, name):
    base, _email, _password = site
    status, _type, body = _get(_opener(), f"{base}/media/{name}")
    assert status == 200
    assert body == (source / "episodes" / name).read_bytes()


def test_every_asset_the_pages_link_is_served(source, site):
    base, _email, _password = site
    opener = _opener()
    episodes = json.loads(_get(opener, base + "/api/episodes")[2])
    linked = set()
    for url in [base + "/", base + "/login", *(e["page_url"] for e in episodes)]:
        linked |= set(LINKED_ASSET.findall(_get(opener, url)[2].decode()))
    assert {"/static/style.css", "/static/episode.js"} <= linked
    for path in linked:
        status, _type, body = _get(opener, base + path)
        assert status == 200
        assert body == (source / "podcast_hub" / path.removeprefix("/")).read_bytes()


def test_the_demo_host_logs_in_to_the_dashboard(site):
    base, email, password = site
    opener = _opener(HTTPCookieProcessor(CookieJar()))
    login_page = _get(opener, base + "/login")[2].decode()
    form = {
        "email": email,
        "password": password,
        "csrf_token": CSRF_INPUT.search(login_page).group(1),
    }
    with opener.open(base + "/login", data=urlencode(form).encode()) as response:
        assert response.url == base + "/dashboard"
        body = response.read()
    assert b"Inbox" in body
    assert b"Was the lighthouse a real place?" in body
