"""Small factories for test data, each with keyword overrides."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from podcast_hub import hosts
from podcast_hub.extensions import db
from podcast_hub.models import Comment, Episode, Show

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
