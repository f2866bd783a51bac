"""A host's answer, defined once: the inbox, the threads, the episode page and
insights read the same comments as answered, and the same first answer."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import answers, comments, inbox, insights, threads
from podcast_hub.extensions import db
from podcast_hub.models import Comment

from .helpers import make_comment, make_episode, make_show

START = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes):
    return START + timedelta(minutes=minutes)


@pytest.fixture
def episode(app_context):
    make_show()
    return make_episode(slug="ep", duration_s=600)


def host_reply(episode, parent, minutes, author="Hannah", **overrides):
    return make_comment(
        episode,
        parent_id=parent.id,
        is_host=True,
        author=author,
        timestamp_s=None,
        created_at=at(minutes),
        **overrides,
    )


def needs_reply(episode):
    return {row.comment.id for row in inbox.page("needs-reply", per_page=50).rows}


def test_the_first_answer_is_the_earliest_wherever_it_stands(episode):
    """Thread order puts Ali's answer (under the older reply) before Bea's."""
    root = make_comment(episode, author="Lee", created_at=at(0))
    older = make_comment(episode, parent_id=root.id, created_at=at(1))
    host_reply(episode, older, 9, author="Ali")
    host_reply(episode, root, 4, author="Bea")
    [windowed] = threads.page(episode, per_page=10).threads
    [whole] = comments.thread(episode)
    assert windowed.answered_by == whole.answered_by == "Bea"
    assert windowed.reply_count == whole.reply_count == 3
    found = insights.for_episode(episode)
    assert (found.threads_answered, found.median_first_reply_s) == (1, 4 * 60)


@pytest.mark.parametrize("status", ["hidden", "pending", "spam", "deleted"])
def test_a_host_comment_that_is_not_published_answers_nothing(episode, status):
    root = make_comment(episode, created_at=at(0))
    host_reply(episode, root, 1, status=status)
    assert root.id in needs_reply(episode)
    assert threads.page(episode, host_only=True, per_page=10).threads == []
    [node] = threads.page(episode, per_page=10).threads
    assert node.answered_by is None
    assert insights.for_episode(episode).threads_answered == 0


def test_an_answer_anywhere_in_a_thread_answers_the_thread_only_where_it_stands(
    episode,
):
    root = make_comment(episode, created_at=at(0))
    reply = make_comment(episode, parent_id=root.id, created_at=at(1))
    host_reply(episode, reply, 2)
    # The thread is answered ...
    host_only = threads.page(episode, host_only=True, per_page=10)
    assert [node.comment.id for node in host_only.threads] == [root.id]
    [node] = threads.page(episode, per_page=10).threads
    assert node.answered_by == "Hannah"
    assert insights.for_episode(episode).threads_answered == 1
    # ... and so is the reply answered; the top comment still waits for its own.
    assert needs_reply(episode) == {root.id}


def test_is_answer_and_the_sql_condition_agree(episode):
    root = make_comment(episode, created_at=at(0))
    made = [
        root,
        host_reply(episode, root, 1),
        host_reply(episode, root, 2, status="hidden"),
        make_comment(episode, parent_id=root.id, created_at=at(3)),
    ]

    in_sql = set(db.session.scalars(sa.select(Comment.id).where(answers.answer())))
    assert in_sql == {c.id for c in made if answers.is_answer(c)} == {made[1].id}
    assert answers.first_answer(made) is made[1]
    assert answers.first_answer([root]) is None
