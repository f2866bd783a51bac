"""Pages of threads: sorting, the host filter, finding a comment's page, moments."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import threads
from podcast_hub.extensions import db
from podcast_hub.models import Comment

from .helpers import make_comment, make_episode, make_show, make_thread

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def episode(app_context):
    make_show()
    return make_episode(slug="ep", duration_s=3600)


def at(minutes):
    return START + timedelta(minutes=minutes)


def ids(page):
    return [node.comment.id for node in page.threads]


def test_pages_hold_top_level_threads_by_moment_general_last(episode):
    general = make_comment(episode, timestamp_s=None, created_at=at(0))
    late = make_comment(episode, timestamp_s=900, created_at=at(1))
    early = make_comment(episode, timestamp_s=60, created_at=at(2))
    early_too = make_comment(episode, timestamp_s=60, created_at=at(3))
    make_comment(episode, parent_id=late.id, timestamp_s=10, created_at=at(4))
    first = threads.page(episode, number=1, per_page=3)
    second = threads.page(episode, number=2, per_page=3)
    assert ids(first) == [early.id, early_too.id, late.id]
    assert ids(second) == [general.id]
    assert (first.pages, first.total_threads) == (2, 4)
    assert threads.page(episode, number=99, per_page=3).number == 2
    assert threads.page(episode, number=-1, per_page=3).number == 1


def test_newest_sort_and_pinned_threads_first(episode):
    old = make_comment(episode, timestamp_s=5, created_at=at(0))
    pinned = make_comment(episode, timestamp_s=999, created_at=at(1), pinned=True)
    new = make_comment(episode, timestamp_s=1, created_at=at(2))
    assert ids(threads.page(episode, sort="newest", per_page=10)) == [
        pinned.id,
        new.id,
        old.id,
    ]
    assert ids(threads.page(episode, per_page=10)) == [pinned.id, new.id, old.id]


def test_host_only_keeps_threads_the_host_spoke_in(episode):
    answered = make_comment(episode, created_at=at(0))
    deep = make_comment(episode, created_at=at(1))
    lonely = make_comment(episode, created_at=at(2))
    by_host = make_comment(episode, is_host=True, author="Hannah", created_at=at(3))
    make_comment(episode, parent_id=answered.id, is_host=True, created_at=at(4))
    middle = make_comment(episode, parent_id=deep.id, created_at=at(5))
    make_comment(episode, parent_id=middle.id, is_host=True, created_at=at(6))
    hidden = make_comment(episode, created_at=at(7))
    make_comment(
        episode, parent_id=hidden.id, is_host=True, status="hidden", created_at=at(8)
    )
    page = threads.page(episode, host_only=True, sort="newest", per_page=10)
    assert ids(page) == [by_host.id, deep.id, answered.id]
    assert lonely.id not in ids(page)


def test_replies_nest_three_levels_and_deeper_ones_show_at_the_third(episode):
    root = make_comment(episode, created_at=at(0))
    two = make_comment(episode, parent_id=root.id, created_at=at(1))
    three = make_comment(episode, parent_id=two.id, created_at=at(2))
    four = make_comment(episode, parent_id=three.id, created_at=at(3))
    two_b = make_comment(episode, parent_id=root.id, created_at=at(4))
    [node] = threads.page(episode, per_page=10).threads
    assert [r.comment.id for r in node.replies] == [two.id, two_b.id]
    assert [r.comment.id for r in node.replies[0].replies] == [three.id, four.id]
    assert {r.depth for r in node.replies[0].replies} == {3}
    assert node.reply_count == 4


def test_hidden_comments_and_their_replies_are_left_out(episode):
    root = make_comment(episode)
    gone = make_comment(episode, parent_id=root.id, status="hidden")
    make_comment(episode, parent_id=gone.id)
    make_comment(episode, status="spam")
    [node] = threads.page(episode, per_page=10).threads
    assert node.replies == []


def test_own_held_comments_show_only_to_their_author(episode):
    root = make_comment(episode, created_at=at(0))
    pending = make_comment(episode, parent_id=root.id, status="pending")
    spam = make_comment(episode, status="spam", created_at=at(9))
    assert ids(threads.page(episode, per_page=10)) == [root.id]
    own = {c.id: c.created_at for c in (pending, spam)}
    page = threads.page(episode, per_page=10, own_ids=own)
    assert ids(page) == [root.id, spam.id]
    assert [r.comment.id for r in page.threads[0].replies] == [pending.id]


def test_page_of_finds_the_page_holding_a_comment_or_its_thread(episode):
    roots = [
        make_comment(episode, timestamp_s=second, created_at=at(second))
        for second in range(10)
    ]
    reply = make_comment(episode, parent_id=roots[7].id)
    grand = make_comment(episode, parent_id=reply.id)
    options = {"per_page": 3}
    assert threads.page_of(episode, roots[0].id, **options) == 1
    assert threads.page_of(episode, roots[3].id, **options) == 2
    assert threads.page_of(episode, grand.id, **options) == 3
    assert threads.page_of(episode, roots[9].id, **options) == 4
    assert threads.page_of(episode, roots[9].id, sort="newest", **options) == 1
    for comment_id in (grand.id, roots[3].id):
        number = threads.page_of(episode, comment_id, **options)
        page = threads.page(episode, number=number, **options)
        assert any(
            n.comment.id == (roots[7].id if comment_id == grand.id else comment_id)
            for n in page.threads
        )


def test_page_of_is_none_for_what_the_visitor_cannot_see(episode):
    other = make_episode(slug="other")
    hidden = make_comment(episode, status="hidden")
    pending = make_comment(episode, status="pending")
    foreign = make_comment(other)
    plain = make_comment(episode)
    assert threads.page_of(episode, hidden.id, per_page=5) is None
    assert threads.page_of(episode, pending.id, per_page=5) is None
    own = {pending.id: pending.created_at}
    assert threads.page_of(episode, pending.id, per_page=5, own_ids=own) == 1
    assert threads.page_of(episode, foreign.id, per_page=5) is None
    assert threads.page_of(episode, 99999, per_page=5) is None
    assert threads.page_of(episode, plain.id, host_only=True, per_page=5) is None


def test_moments_count_published_comments_per_second(episode):
    first = make_comment(episode, timestamp_s=30)
    make_comment(episode, timestamp_s=30)
    make_comment(episode, timestamp_s=30, status="hidden")
    other = make_comment(episode, timestamp_s=5)
    make_comment(episode, timestamp_s=None)
    assert threads.moments(episode) == [(5, 1, other.id), (30, 2, first.id)]


def test_a_page_costs_the_same_queries_for_any_conversation(episode, count_queries):
    def conversation(size):
        db.session.execute(sa.delete(Comment))
        db.session.execute(
            sa.insert(Comment),
            [
                {
                    "episode_id": episode.id,
                    "author": "Lee",
                    "body": "Hi",
                    "timestamp_s": n % 3600,
                    "status": "published",
                    "created_at": at(n),
                }
                for n in range(size)
            ],
        )
        db.session.commit()
        with count_queries() as counted:
            threads.page(episode, number=2, per_page=5, host_only=True)
        return len(counted)

    assert conversation(10) == conversation(500) == 3


# Long threads: a page shows a few replies of each thread, in thread order; the
# rest come in pages of their own, whatever the number of replies.


def flat(node):
    """Return the ids of the replies below `node`, in the order they show."""
    found = []
    for reply in node.replies:
        found += [reply.comment.id, *flat(reply)]
    return found


def test_a_thread_shows_its_first_replies_in_thread_order_and_counts_the_rest(
    episode,
):
    root = make_comment(episode, created_at=at(0))
    a = make_comment(episode, parent_id=root.id, created_at=at(1))
    b = make_comment(episode, parent_id=root.id, created_at=at(2))
    a1 = make_comment(episode, parent_id=a.id, created_at=at(3))
    make_comment(episode, parent_id=b.id, created_at=at(4))
    a2 = make_comment(episode, parent_id=a.id, created_at=at(5))
    make_comment(episode, parent_id=root.id, created_at=at(6))
    deeper = make_comment(episode, parent_id=a1.id, created_at=at(7))
    [node] = threads.page(episode, per_page=10).threads
    assert threads.SHOWN_REPLIES == 5
    assert flat(node) == [a.id, a1.id, a2.id, deeper.id, b.id]
    assert [r.comment.id for r in node.replies] == [a.id, b.id]
    assert {r.depth for r in node.replies[0].replies} == {3}
    assert (node.reply_count, node.more_replies) == (7, 2)


def test_a_page_loads_a_few_replies_of_a_long_thread_in_constant_queries(
    episode, count_queries
):
    short = make_episode(slug="short")
    make_thread(short, 10)
    root, ids = make_thread(episode, 5000, hosts_at=(3999,))
    make_comment(episode, timestamp_s=5, created_at=at(9))
    counts = []
    for each in (short, episode):
        db.session.refresh(each)
        with count_queries() as counted:
            page = threads.page(each, per_page=10)
        counts.append(len(counted))
    assert counts == [3, 3]
    node = next(n for n in page.threads if n.comment.id == root.id)
    assert flat(node) == ids[:5]
    assert (node.reply_count, node.more_replies) == (5000, 4995)
    assert node.answered_by == "Listener 3999"
    whole = threads.subtree(episode, root.id)
    assert flat(whole) == ids[:5] and whole.reply_count == 5000


def test_pages_of_a_thread_show_each_reply_once_inside_its_parent(episode):
    root, ids = make_thread(episode, 23, branch_every=4)
    seen = []
    for number in range(1, 6):
        page = threads.thread_page(episode, root.id, number=number, per_page=5)
        assert (page.thread, page.number, page.pages) == (root.id, number, 5)
        [node] = page.threads
        shown = flat(node)
        if number == 2:
            # Page 2 starts with an answer to reply 5: reply 5 comes along.
            assert shown[:2] == [ids[4], ids[5]]
            assert node.replies[0].replies[0].comment.id == ids[5]
        seen += [i for i in shown if i not in seen]
    assert seen == ids
    last = threads.thread_page(episode, root.id, number=99, per_page=5)
    assert last.number == 5
    assert threads.thread_page(episode, ids[0], per_page=5) is None


def test_a_late_reply_is_placed_on_the_page_of_its_thread_that_shows_it(episode):
    others = [make_comment(episode, timestamp_s=s, created_at=at(s)) for s in (1, 2)]
    root, ids = make_thread(episode, 4100)
    assert threads.place_of(episode, ids[4], per_page=1) == threads.Place(3)
    assert threads.place_of(episode, others[0].id, per_page=1) == threads.Place(1)
    place = threads.place_of(episode, ids[3999], per_page=1)
    assert place == threads.Place(80, thread=root.id)
    page = threads.thread_page(episode, root.id, number=place.page)
    assert ids[3999] in flat(page.threads[0])
    assert threads.find(page.threads, ids[3999]).comment.body == "Reply 4000"
    hidden = make_comment(episode, parent_id=root.id, status="hidden")
    assert threads.place_of(episode, hidden.id, per_page=1) is None
