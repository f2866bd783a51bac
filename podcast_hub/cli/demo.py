"""The demo show: three short spoken episodes, a host and a few conversations."""

import base64
import hashlib
import hmac
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..auth import hosts
from ..catalog import episodes, importer
from ..conversation import comments
from ..extensions import db
from ..models import Comment, Episode, Person, Show

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


def load():
    """Create the demo show, episodes, host and conversations; return the login.

    Idempotent: the demo host's password is made from the secret key, so each
    run prints the same one (it is never stored), and one the host chose on the
    dashboard stays.
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

    importer.sync(media_dir)
    demo_episodes = db.session.scalars(
        sa.select(Episode).where(Episode.audio_file.in_(EPISODES))
    ).all()
    for episode in demo_episodes:
        # Fill in what the tags cannot say, once: a host's later edits stay.
        if not episode.description:
            for key, value in EPISODES[episode.audio_file].items():
                setattr(episode, key, value)
    db.session.commit()

    password: str | None = _password(current_app.config["SECRET_KEY"])
    host = hosts.get_by_email(DEMO_EMAIL)
    if host is None:
        host = hosts.create_host(DEMO_EMAIL, DEMO_NAME, password)
    elif hosts.authenticate(DEMO_EMAIL, password) is None:
        password = None

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
    return DemoLogin(DEMO_EMAIL, password, len(demo_episodes), total)


def _password(secret_key: str | bytes) -> str:
    """Return the demo host's first password, the same for the same secret key."""
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
