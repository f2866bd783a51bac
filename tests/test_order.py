"""Thread order, written once: the SQL that pages threads, the Python sort of a
whole conversation and the keys the page carries for its scripts agree."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from podcast_hub.conversation import comments, listing, order, threads
from podcast_hub.conversation.order import Sort

from .helpers import make_comment, make_episode, make_show

START = datetime(2026, 1, 1, tzinfo=UTC)


def at(minutes):
    return START + timedelta(minutes=minutes)


@pytest.fixture
def conversation(app):
    """Threads that every key of both sorts tells apart, and a reply."""
    make_show()
    episode = make_episode(slug="ep", duration_s=3600)
    made = [
        make_comment(episode, timestamp_s=None, created_at=at(0)),
        make_comment(episode, timestamp_s=900, created_at=at(1)),
        make_comment(episode, timestamp_s=60, created_at=at(2)),
        make_comment(episode, timestamp_s=60, created_at=at(2)),
        make_comment(episode, timestamp_s=0, created_at=at(3)),
        make_comment(episode, timestamp_s=300, created_at=at(4), pinned=True),
        make_comment(episode, timestamp_s=None, created_at=at(5), pinned=True),
        make_comment(episode, timestamp_s=None, created_at=at(6)),
    ]
    make_comment(episode, parent_id=made[1].id, timestamp_s=5, created_at=at(7))
    return episode, made


@pytest.mark.parametrize("sort", list(Sort))
def test_sort_keys_order_threads_as_the_database_does(app_context, conversation, sort):
    episode, made = conversation
    page = threads.page(episode, sort=sort, per_page=20)
    listed = [node.comment.id for node in page.threads]
    by_key = sorted(made, key=lambda comment: order.sort_key(comment, sort))
    assert listed == [comment.id for comment in by_key]
    assert len(set(listed)) == len(made)


def test_a_whole_conversation_is_in_moment_order(app_context, conversation):
    episode, _ = conversation
    whole = [node.comment.id for node in comments.thread(episode)]
    page = threads.page(episode, sort=Sort.MOMENT, per_page=20)
    assert whole == [node.comment.id for node in page.threads]
    count, listed = listing.conversation(episode.id)
    assert [thread["id"] for thread in listed] == whole
    assert count == 9


@pytest.mark.parametrize("sort", list(Sort))
def test_sorted_threads_orders_as_the_sort_keys_do(app_context, conversation, sort):
    """One stable sort per key gives the order of the keys' numbers, from any
    order the threads come in."""
    _, made = conversation
    by_key = [c.id for c in sorted(made, key=lambda c: order.sort_key(c, sort))]
    for start in (made, made[::-1], made[3:] + made[:3]):
        assert [c.id for c in order.sorted_threads(start, sort)] == by_key


@pytest.mark.parametrize("sort", list(Sort))
def test_each_comment_is_on_the_page_its_place_says(app_context, conversation, sort):
    episode, made = conversation
    for comment in made:
        number = threads.page_of(episode, comment.id, sort=sort, per_page=3)
        page = threads.page(episode, number=number, sort=sort, per_page=3)
        assert comment.id in [node.comment.id for node in page.threads]


@pytest.mark.parametrize("sort", list(Sort))
def test_the_page_writes_each_threads_key_in_the_order_it_lists_them(
    client, conversation, sort
):
    html = client.get(f"/episodes/ep?sort={sort}").get_data(as_text=True)
    threads_shown = re.findall(
        r'class="comment comment--level-1[^"]*" id="comment-(\d+)"[^>]*?'
        rf'data-order-{sort}="([-\d ]+)"',
        html,
    )
    assert len(threads_shown) == 8
    keys = [tuple(map(int, key.split())) for _, key in threads_shown]
    assert keys == sorted(keys)
    assert 'data-order-moment="' not in html.split("comment--level-2")[1].split(">")[0]


def test_page_keys_are_the_sort_keys_as_spaced_whole_numbers(app_context):
    make_show()
    episode = make_episode(slug="one")
    comment = make_comment(episode, timestamp_s=754, created_at=START, pinned=True)
    micros = (START - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert order.sort_key(comment, Sort.MOMENT) == (0, 0, 754, micros, comment.id)
    assert order.sort_key(comment, Sort.NEWEST) == (0, -micros, -comment.id)
    assert order.page_keys(comment) == {
        "moment": f"0 0 754 {micros} {comment.id}",
        "newest": f"0 -{micros} -{comment.id}",
    }
