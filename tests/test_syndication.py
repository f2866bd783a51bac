"""What the feeds publish and its version, read in as few queries as possible."""

from datetime import UTC, datetime, timedelta

from podcast_hub.feeds import versions

from .helpers import (
    make_chapter,
    make_comment,
    make_episode,
    make_host,
    make_person,
    make_show,
    make_soundbite,
    make_transcript,
    reload,
)


def test_no_show_has_no_version(app_context):
    assert versions.feed_version() is None


def test_feed_version_is_one_query(app_context, count_queries):
    make_show()
    episode = make_episode()
    make_chapter(episode)
    make_transcript(episode)
    make_soundbite(episode)
    make_person(episode)
    with count_queries() as queries:
        version = versions.feed_version()
    assert len(queries) == 1
    episode = reload(episode)
    assert version.last_modified == max(episode.updated_at, episode.published_at)


def test_conditional_get_costs_one_query(client, count_queries):
    make_show()
    make_episode(slug="ep")
    for path in ("/feed.xml", "/episodes/ep/comments.xml"):
        etag = client.get(path).headers["ETag"]
        with count_queries() as queries:
            response = client.get(path, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert len(queries) == 1, queries.statements


def test_feed_content_loads_sidecars_up_front(app_context, count_queries):
    show = make_show()
    for n in range(3):
        episode = make_episode()
        make_chapter(episode, title=f"Chapter {n}")
        make_transcript(episode)
        make_soundbite(episode)
        make_person(episode, name=f"Guest {n}")
    make_person(show=show, name="Hannah Host", role="host")
    # Dashboard accounts are not the show's people.
    make_host(display_name="Someone Else")
    with count_queries() as queries:
        show, published, people = versions.feed_content()
        for episode in published:
            assert episode.chapters and episode.transcripts and episode.soundbites
        guests = sorted(p.name for e in published for p in e.people)
    assert guests == ["Guest 0", "Guest 1", "Guest 2"]
    assert [p.name for p in people] == ["Hannah Host"]
    # The show, the episodes, five kinds of sidecars (chapters, transcripts,
    # soundbites, alternate files, people) and the show's people.
    assert len(queries) == 8


def test_version_depends_on_the_moment(app_context):
    now = datetime.now(UTC)
    make_show()
    make_episode(published_at=now - timedelta(days=1))
    make_episode(published_at=now + timedelta(hours=1))
    before = versions.feed_version(now)
    after = versions.feed_version(now + timedelta(hours=2))
    assert before.key != after.key
    assert after.last_modified == now + timedelta(hours=1)
    assert versions.feed_version(now + timedelta(hours=3)) == after


def test_comments_version_only_for_published_episodes(app_context):
    now = datetime.now(UTC)
    make_show()
    make_episode(slug="out", published_at=now - timedelta(days=1))
    make_episode(slug="draft", published_at=None)
    make_episode(slug="soon", published_at=now + timedelta(hours=1))
    assert versions.comments_version("out", now) is not None
    assert versions.comments_version("draft", now) is None
    assert versions.comments_version("soon", now) is None
    assert versions.comments_version("soon", now + timedelta(hours=2))
    assert versions.comments_version("missing", now) is None


def test_comments_version_changes_with_what_is_said(app_context):
    make_show()
    episode = make_episode(slug="ep")
    empty = versions.comments_version("ep")
    comment = make_comment(episode)
    said = versions.comments_version("ep")
    assert said.key != empty.key
    assert said.last_modified == comment.created_at
    make_comment(make_episode(slug="other"))
    assert versions.comments_version("ep") == said


def test_episode_comments_are_the_pages_newest_first(app_context):
    make_show()
    episode = make_episode()
    now = datetime.now(UTC)
    first = make_comment(episode, created_at=now - timedelta(hours=3))
    reply = make_comment(episode, parent_id=first.id, created_at=now)
    hidden = make_comment(episode, status="hidden", created_at=now)
    orphan = make_comment(episode, parent_id=hidden.id, created_at=now)
    general = make_comment(
        episode, timestamp_s=None, created_at=now - timedelta(hours=1)
    )
    said = versions.episode_comments(episode)
    assert said == [reply, general, first]
    assert orphan not in said


def test_a_new_chapter_moves_last_modified(app_context):
    make_show()
    episode = make_episode()
    before = versions.feed_version()
    make_chapter(episode, title="Added later")
    after = versions.feed_version()
    assert after.key != before.key
    assert after.last_modified > before.last_modified
