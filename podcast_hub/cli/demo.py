"""The demo show: three short spoken episodes, a host and a few conversations."""

import base64
import hashlib
import hmac
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..auth import hosts
from ..catalog import episodes, importer, storage
from ..conversation import comments
from ..extensions import db
from ..models import Comment, Episode, Host, Person, Show

# The demo's audio and cover, shipped in the package: in the repository a link
# to the top-level `episodes/`, in a wheel a copy of the four files.
BUNDLED_MEDIA = Path(__file__).with_name("demo_media")
COVER = "cover.png"

DEMO_EMAIL = "host@demo.podcast-hub.test"
DEMO_NAME = "Dana Reyes"

SHOW = {
    "title": "Moments",
    "description": (
        "A small show about the moments in conversations that stay with you.\n\n"
        "Every episode page is a conversation: pause at a moment and tell us "
        "what you heard."
    ),
    "author": DEMO_NAME,
    "owner_name": DEMO_NAME,
    "owner_email": DEMO_EMAIL,
    "language": "en",
    "category": "Society & Culture",
    "explicit": False,
    "cover": COVER,
}

EPISODES = {
    "01-welcome-to-moments.mp3": {
        "title": "Welcome to Moments",
        "description": "Why this show exists, and how to talk back at a moment.",
        "published_at": datetime(2026, 9, 3, 9, 0, tzinfo=UTC),
        "season": 1,
        "number": 1,
    },
    "02-the-lighthouse-keeper.m4a": {
        "title": "The Lighthouse Keeper",
        "description": "A story about a lighthouse, a storm and a very long night.",
        "published_at": datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        "season": 1,
        "number": 2,
    },
    "03-listening-back.ogg": {
        "title": "Listening Back",
        "description": "We read your comments and answer the questions you left.",
        "published_at": datetime(2026, 11, 5, 9, 0, tzinfo=UTC),
        "season": 1,
        "number": 3,
    },
}

# (file, listener, moment in seconds or None, comment, host reply or None)
CONVERSATIONS = [
    (
        "01-welcome-to-moments.mp3",
        "Priya",
        12,
        "Love the idea of commenting on a moment!",
        "Thank you, Priya! That is exactly why we built it.",
    ),
    (
        "01-welcome-to-moments.mp3",
        "Tomás",
        None,
        "Subscribed in AntennaPod, works great.",
        None,
    ),
    (
        "02-the-lighthouse-keeper.m4a",
        "Jules",
        20,
        "The part about the storm gave me chills.",
        "It gave us chills recording it, too.",
    ),
    (
        "02-the-lighthouse-keeper.m4a",
        "Amara",
        35,
        "Was the lighthouse a real place?",
        None,
    ),
    (
        "03-listening-back.ogg",
        "Kenji",
        8,
        "Nice to hear our comments read out loud 😊",
        None,
    ),
]


@dataclass
class DemoLogin:
    email: str
    # None once the host has chosen a password of their own on the dashboard.
    password: str | None
    episodes: int
    comments: int
    # Where the password is kept (readable by the operator only).
    password_file: Path
    # What became of the password on this run: "new" (made now, the first
    # time or on request) or "kept" (as before, or the host's own).
    password_state: str = "kept"


def load(new_password: bool = False):
    """Create the demo show, episodes, host and conversations; return the login.

    Idempotent: the demo host's password is made once and kept in the instance
    folder (`DEMO_PASSWORD_FILE`), so each run prints the same one, whatever the
    secret key; one the host chose on the dashboard stays. `new_password` makes
    a new one (the old one stops working, and so do the host's sessions).
    """
    media_dir = Path(current_app.config["MEDIA_DIR"])
    _copy_media(media_dir)
    if episodes.get_show() is None:
        # The demo host is credited as the show's host (podcast:person).
        db.session.add(
            Show(
                **SHOW, people=[Person(name=DEMO_NAME, role="host", group_name="cast")]
            )
        )
        db.session.commit()

    # With a bucket, the demo's files are copied into it.
    store = current_app.extensions[storage.EXTENSION]
    importer.sync(
        media_dir, store=None if isinstance(store, storage.FolderStore) else store
    )
    demo_episodes = db.session.scalars(
        sa.select(Episode).where(Episode.audio_file.in_(EPISODES))
    ).all()
    for episode in demo_episodes:
        # Fill in what the tags cannot say, once: a host's later edits stay.
        if not episode.description:
            for key, value in EPISODES[episode.audio_file].items():
                setattr(episode, key, value)
    db.session.commit()

    password_file = Path(current_app.config["DEMO_PASSWORD_FILE"])
    host, password, state = _demo_host(password_file, new_password)

    by_file = {episode.audio_file: episode for episode in demo_episodes}
    has_comments = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.episode_id.in_([e.id for e in demo_episodes])
        )
    )
    if not has_comments:
        for name, listener, moment, text, answer in CONVERSATIONS:
            episode = by_file[name]
            comment = comments.post_comment(
                episode, author=listener, body=text, timestamp_s=moment
            )
            if answer:
                comments.post_comment(
                    episode, body=answer, parent_id=comment.id, host=host
                )
    total = db.session.execute(sa.select(sa.func.count(Comment.id))).scalar_one()
    return DemoLogin(
        DEMO_EMAIL, password, len(demo_episodes), total, password_file, state
    )


def _demo_host(password_file: Path, new_password: bool) -> tuple[Host, str | None, str]:
    """Return the demo host, its password (None when the host chose their own)
    and whether the password is "new" or "kept"."""
    host = hosts.get_by_email(DEMO_EMAIL)
    if host is None or new_password:
        password = secrets.token_urlsafe(12)
        if host is None:
            host = hosts.create_host(DEMO_EMAIL, DEMO_NAME, password)
        else:
            hosts.set_password(host, password)
        _keep_password(password_file, password)
        return host, password, "new"
    for password in _known_passwords(password_file):
        if hosts.authenticate(DEMO_EMAIL, password) is not None:
            if _read_password(password_file) != password:
                _keep_password(password_file, password)
            return host, password, "kept"
    return host, None, "kept"


def _known_passwords(password_file: Path) -> list[str]:
    """Return the passwords the demo host may still have: the kept one, and the
    one earlier versions made from the secret key (never written down)."""
    known = [_read_password(password_file), _legacy_password()]
    return [password for password in known if password]


def _read_password(password_file: Path) -> str | None:
    try:
        return password_file.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _keep_password(password_file: Path, password: str) -> None:
    """Write `password` to `password_file`, readable by its owner only."""
    password_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(password + "\n")


def _legacy_password() -> str:
    """Return the password earlier versions made from the secret key."""
    secret_key = current_app.config["SECRET_KEY"]
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    digest = hmac.new(key, b"podcast-hub demo host", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode()


def _copy_media(media_dir: Path) -> None:
    """Copy the demo's audio and cover into `media_dir` where they are missing.

    Files already there stay as they are, so `make run` over the repository's
    `episodes/` copies nothing.
    """
    media_dir.mkdir(parents=True, exist_ok=True)
    for name in [*EPISODES, COVER]:
        target = media_dir / name
        if not target.exists():
            # Under a hidden name until complete: the importer skips dot files.
            partial = media_dir / f".{name}.partial"
            shutil.copyfile(BUNDLED_MEDIA / name, partial)
            partial.replace(target)
