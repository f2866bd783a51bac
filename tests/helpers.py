"""Small factories for test data, each with keyword overrides."""

import itertools
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from podcast_hub.auth import hosts
from podcast_hub.extensions import db
from podcast_hub.models import Chapter, Comment, Episode, Show, Soundbite, Transcript

_counter = itertools.count(1)


def make_show(**overrides):
    values = {
        "title": "Moments Test Show",
        "description": "A show about testing moments.",
        "author": "Hannah Host",
        "owner_name": "Hannah Host",
        "owner_email": "owner@example.com",
        "language": "en",
        "category": "Technology",
        "explicit": False,
        "cover": "cover.png",
    }
    values.update(overrides)
    show = Show(**values)
    db.session.add(show)
    db.session.commit()
    return show


def make_episode(**overrides):
    n = next(_counter)
    values = {
        "slug": f"episode-{n}",
        "guid": str(uuid.uuid4()),
        "title": f"Episode {n}",
        "description": "Show notes.",
        "audio_file": f"episode-{n}.mp3",
        "mime_type": "audio/mpeg",
        "size_bytes": 1000,
        "duration_s": 1800,
        "published_at": datetime.now(UTC) - timedelta(days=n),
        "episode_type": "full",
        "explicit": False,
    }
    values.update(overrides)
    episode = Episode(**values)
    db.session.add(episode)
    db.session.commit()
    return episode


def make_comment(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "author": "Lee Listener",
        "email": "lee@example.com",
        "body": "That story about the lighthouse!",
        "timestamp_s": 754,
        "status": "published",
    }
    values.update(overrides)
    comment = Comment(**values)
    db.session.add(comment)
    db.session.commit()
    return comment


def make_host(
    email="host@example.com", display_name="Hannah Host", password="correct horse"
):
    return hosts.create_host(email=email, display_name=display_name, password=password)


def make_chapter(episode, **overrides):
    values = {"episode_id": episode.id, "start_s": 0, "title": "Intro"}
    values.update(overrides)
    chapter = Chapter(**values)
    db.session.add(chapter)
    db.session.commit()
    return chapter


def make_transcript(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "file": f"{episode.slug}.vtt",
        "mime_type": "text/vtt",
        "language": None,
    }
    values.update(overrides)
    transcript = Transcript(**values)
    db.session.add(transcript)
    db.session.commit()
    return transcript


def make_soundbite(episode, **overrides):
    values = {
        "episode_id": episode.id,
        "start_s": 60,
        "duration_s": 30,
        "title": "The best bit",
    }
    values.update(overrides)
    soundbite = Soundbite(**values)
    db.session.add(soundbite)
    db.session.commit()
    return soundbite


def make_thread(episode, replies, branch_every=10, hosts_at=(), **overrides):
    """Store a thread of `replies` replies in one statement; return its top
    comment and the replies' ids in thread order.

    Every `branch_every`th reply answers the top comment, the others the latest
    of those; they are written in thread order, a second apart after the top
    comment. Replies number `hosts_at` (from 0) are a host's.
    """
    root = make_comment(episode, **overrides)
    first = root.id + 1
    rows = []
    for n in range(replies):
        if n % branch_every == 0:
            branch = first + n
        rows.append(
            {
                "id": first + n,
                "episode_id": episode.id,
                "parent_id": root.id if n % branch_every == 0 else branch,
                "author": f"Listener {n}",
                "is_host": n in hosts_at,
                "body": f"Reply {n + 1}",
                "timestamp_s": None,
                "status": "published",
                "created_at": root.created_at + timedelta(seconds=n + 1),
            }
        )
    db.session.execute(sa.insert(Comment), rows)
    db.session.commit()
    return root, [first + n for n in range(replies)]


def png_claiming(width, height):
    """Return a PNG of a hundred bytes whose header claims `width` × `height`."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
