"""Moderation: actions on comments (one, many, through the API), modes, block
rules, closed episodes and purging what was deleted."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from podcast_hub.conversation import moderation, people
from podcast_hub.errors import ValidationFailed
from podcast_hub.extensions import db
from podcast_hub.models import BlockRule, Comment, Show

from .conftest import csrf_from
from .helpers import (
    at_once,
    get,
    in_app,
    make_comment,
    make_episode,
    make_show,
    post_at_once,
    reload,
    tabs_of,
    update,
    writes_meet,
)


@pytest.fixture
def show(app):
    return make_show()


@pytest.fixture
def episode(show):
    return make_episode(slug="lighthouse", title="The Lighthouse")


def public_ids(client, slug="lighthouse"):
    """Return the ids of the comments the public JSON shows, replies included."""
    data = client.get(f"/api/episodes/{slug}/comments").get_json()

    def walk(nodes):
        for node in nodes:
            yield node["id"]
            yield from walk(node["replies"])

    return list(walk(data["comments"]))


def on_page(client, comment_id, slug="lighthouse"):
    html = client.get(f"/episodes/{slug}").get_data(as_text=True)
    return f'id="comment-{comment_id}"' in html


def moderate(client, comment_id, action, token):
    return client.post(
        f"/api/comments/{comment_id}/moderation",
        json={"action": action},
        headers={"X-CSRFToken": token},
    )


@pytest.fixture
def host_token(client, auth, episode):
    """Log in and return a CSRF token for the JSON API."""
    auth.login()
    return csrf_from(client.get("/dashboard").get_data(as_text=True))


@pytest.mark.parametrize(
    ("start", "action", "status", "shown"),
    [
        ("pending", "approve", "published", True),
        ("published", "hide", "hidden", False),
        ("published", "spam", "spam", False),
        ("published", "delete", "deleted", False),
        ("deleted", "restore", "published", True),
        ("spam", "approve", "published", True),
        ("hidden", "restore", "published", True),
    ],
)
def test_each_api_action_changes_what_the_public_sees(
    client, host_token, episode, start, action, status, shown
):
    comment = make_comment(episode, status=start)
    response = moderate(client, comment.id, action, host_token)
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == comment.id
    assert data["status"] == status
    assert "email" not in data and "lee@example.com" not in response.get_data(True)
    assert (comment.id in public_ids(client)) is shown
    assert on_page(client, comment.id) is shown


def test_delete_is_soft_and_restore_brings_the_comment_back(
    client, host_token, episode
):
    comment = make_comment(episode)
    moderate(client, comment.id, "delete", host_token)
    comment = reload(comment)
    assert comment.status == "deleted" and comment.deleted_at is not None
    assert comment.id not in public_ids(client)

    moderate(client, comment.id, "restore", host_token)
    comment = reload(comment)
    assert comment.status == "published" and comment.deleted_at is None
    assert comment.id in public_ids(client)


def test_a_pinned_thread_comes_first_until_unpinned(client, host_token, episode):
    early = make_comment(episode, timestamp_s=10, body="early")
    late = make_comment(episode, timestamp_s=900, body="late")
    assert public_ids(client) == [early.id, late.id]

    response = moderate(client, late.id, "pin", host_token)
    assert response.get_json()["pinned"] is True
    assert public_ids(client) == [late.id, early.id]
    html = client.get("/episodes/lighthouse").get_data(as_text=True)
    assert html.index(f'id="comment-{late.id}"') < html.index(
        f'id="comment-{early.id}"'
    )

    moderate(client, late.id, "unpin", host_token)
    assert public_ids(client) == [early.id, late.id]


def test_a_reply_cannot_be_pinned(client, host_token, episode):
    parent = make_comment(episode)
    reply = make_comment(episode, parent_id=parent.id)
    response = moderate(client, reply.id, "pin", host_token)
    assert response.status_code == 400
    assert "first comment of a thread" in response.get_json()["error"]


@pytest.mark.parametrize("body", [{"action": "explode"}, {"action": 3}, {}, []])
def test_a_bad_action_is_400_json_and_changes_nothing(
    client, host_token, episode, body
):
    comment = make_comment(episode)
    response = client.post(
        f"/api/comments/{comment.id}/moderation",
        json=body,
        headers={"X-CSRFToken": host_token},
    )
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] and "action" in data["fields"]
    comment = reload(comment)
    assert comment.status == "published"


def test_an_unknown_comment_is_404_json(client, host_token):
    response = moderate(client, 999, "hide", host_token)
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_anonymous_moderation_is_refused_and_changes_nothing(client, csrf, episode):
    comment = make_comment(episode)
    token = csrf("/")
    response = moderate(client, comment.id, "delete", token)
    assert response.status_code in (401, 403)
    assert response.get_json()["error"]
    no_token = client.post(
        f"/api/comments/{comment.id}/moderation", json={"action": "delete"}
    )
    assert no_token.status_code in (401, 403)
    comment = reload(comment)
    assert comment.status == "published"


def test_moderation_without_csrf_header_is_refused_for_a_host(
    client, host_token, episode
):
    comment = make_comment(episode)
    response = client.post(
        f"/api/comments/{comment.id}/moderation", json={"action": "hide"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]
    assert comment.id in public_ids(client)


def test_dashboard_row_action_without_javascript(client, host_token, episode):
    comment = make_comment(episode)
    response = client.post(
        f"/dashboard/comments/{comment.id}/moderate",
        data={"action": "spam", "csrf_token": host_token, "next": "/dashboard?tab=all"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard?tab=all"
    assert comment.id not in public_ids(client)
    spam_tab = client.get("/dashboard?tab=spam").get_data(as_text=True)
    assert f'data-comment-id="{comment.id}"' in spam_tab


@pytest.mark.parametrize(
    ("action", "status", "shown"),
    [
        ("approve", "published", True),
        ("hide", "hidden", False),
        ("spam", "spam", False),
        ("delete", "deleted", False),
    ],
)
def test_bulk_actions_change_every_selected_row(
    client, host_token, episode, action, status, shown
):
    chosen = [make_comment(episode, status="pending") for _ in range(2)]
    left = make_comment(episode, status="pending")
    response = client.post(
        "/dashboard/comments/bulk",
        data={
            "action": action,
            "ids": [c.id for c in chosen],
            "csrf_token": host_token,
        },
    )
    assert response.status_code == 303
    for comment in chosen:
        comment = reload(comment)
        assert comment.status == status
        assert (comment.id in public_ids(client)) is shown
    left = reload(left)
    assert left.status == "pending"
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 comments" in follow


def test_bulk_pin_and_restore(client, host_token, episode):
    first = make_comment(episode, timestamp_s=5)
    second = make_comment(episode, timestamp_s=50, status="deleted")
    reply = make_comment(episode, parent_id=first.id)
    client.post(
        "/dashboard/comments/bulk",
        data={"action": "restore", "ids": [second.id], "csrf_token": host_token},
    )
    client.post(
        "/dashboard/comments/bulk",
        data={"action": "pin", "ids": [second.id, reply.id], "csrf_token": host_token},
    )
    assert public_ids(client) == [second.id, first.id, reply.id]
    reply = reload(reply)
    assert reply.pinned is False


def test_bulk_without_a_selection_explains(client, host_token, episode):
    make_comment(episode)
    response = client.post(
        "/dashboard/comments/bulk",
        data={"action": "hide", "csrf_token": host_token},
        follow_redirects=True,
    )
    assert "Tick at least one comment first." in response.get_data(as_text=True)


def test_apply_many_is_one_transaction_and_rejects_unknown_actions(
    app_context, episode
):
    comment = make_comment(episode)
    with pytest.raises(ValidationFailed):
        moderation.apply_many([comment.id], "burn")
    assert moderation.apply_many([], "hide") == 0
    assert moderation.apply_many([comment.id, 12345], "hide") == 1


def post_as_listener(client, csrf, body="Hello there", email="new@example.com"):
    return client.post(
        "/api/episodes/lighthouse/comments",
        json={"author": "Nia", "email": email, "body": body, "timestamp": 30},
        headers={"X-CSRFToken": csrf("/episodes/lighthouse")},
    )


def test_open_mode_publishes_at_once(client, csrf, show, episode):
    update(show, moderation_mode="open")
    response = post_as_listener(client, csrf)
    assert response.status_code == 201
    assert response.get_json()["status"] == "published"
    assert response.get_json()["id"] in public_ids(client)


def test_hold_all_holds_every_listener_comment(client, csrf, show, episode):
    update(show, moderation_mode="hold_all")
    make_comment(episode, email="new@example.com")  # known, still held
    response = post_as_listener(client, csrf)
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "pending"
    assert data["id"] not in public_ids(client)


def test_hold_first_holds_only_first_time_commenters(client, csrf, show, episode):
    update(show, moderation_mode="hold_first")
    make_comment(episode, email="Known@Example.com")
    held = post_as_listener(client, csrf, email="stranger@example.com").get_json()
    known = post_as_listener(client, csrf, email="known@example.com").get_json()
    assert held["status"] == "pending"
    assert known["status"] == "published"
    assert public_ids(client).count(known["id"]) == 1
    assert held["id"] not in public_ids(client)


def test_host_comments_are_published_whatever_the_mode(client, auth, show, episode):
    with in_app() as session:
        session.get(Show, show.id).moderation_mode = "hold_all"
        session.add(BlockRule(kind="word", value="casino"))
        session.commit()
    auth.login()
    token = csrf_from(client.get("/episodes/lighthouse").get_data(as_text=True))
    response = client.post(
        "/api/episodes/lighthouse/comments",
        json={"body": "No casino talk, please.", "timestamp": None},
        headers={"X-CSRFToken": token},
    )
    assert response.get_json()["status"] == "published"


def test_held_comment_form_post_says_it_waits_for_approval(client, csrf, show, episode):
    update(show, moderation_mode="hold_all")
    response = client.post(
        "/episodes/lighthouse/comments",
        data={
            "author": "Nia",
            "body": "Held please",
            "timestamp": "",
            "csrf_token": csrf("/episodes/lighthouse"),
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "will appear once the host approves it" in page
    with in_app() as session:
        [held] = session.scalars(sa.select(Comment)).all()
    assert held.status == "pending"


def test_moderation_mode_is_set_in_the_dashboard(client, host_token, show):
    response = client.post(
        "/dashboard/moderation", data={"mode": "hold_first", "csrf_token": host_token}
    )
    assert response.status_code == 303
    show = reload(show)
    assert show.moderation_mode == "hold_first"
    bad = client.post(
        "/dashboard/moderation", data={"mode": "anarchy", "csrf_token": host_token}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("kind", "value", "email", "body"),
    [
        ("email", "spammer@example.com", "Spammer@Example.com", "Hi"),
        ("email", "@spam.example", "anyone@spam.example", "Hi"),
        ("word", "casino", "ok@example.com", "Visit my CASINO now"),
        ("word", "free money", "ok@example.com", "Get free money today!"),
    ],
)
def test_blocked_addresses_and_words_send_new_comments_to_spam(
    client, csrf, host_token, episode, kind, value, email, body
):
    before = make_comment(episode, email=email, body=body)
    response = client.post(
        "/dashboard/moderation/blocks",
        data={"kind": kind, "values": value, "csrf_token": host_token},
    )
    assert response.status_code == 303
    client.post("/logout", data={"csrf_token": host_token})
    posted = post_as_listener(client, csrf, body=body, email=email)
    assert posted.status_code == 201
    data = posted.get_json()
    assert data["status"] == "pending", "a spammer is not told"
    assert get(Comment, data["id"]).status == "spam"
    assert data["id"] not in public_ids(client)
    before = reload(before)
    assert before.status == "published", "only new comments are caught"


def test_a_word_blocks_whole_words_only(app_context, episode):
    moderation.add_block_rules("word", "ass")
    assert not moderation.is_blocked(author="Bo", email=None, body="a class act")
    assert moderation.is_blocked(author="Bo", email=None, body="you ass!")


def test_block_rules_are_validated_and_removable(client, host_token):
    bad = client.post(
        "/dashboard/moderation/blocks",
        data={"kind": "email", "values": "not an address", "csrf_token": host_token},
    )
    assert bad.status_code == 400
    assert "Not an e-mail address" in bad.get_data(as_text=True)
    client.post(
        "/dashboard/moderation/blocks",
        data={
            "kind": "word",
            "values": "casino, Poker\ncasino",
            "csrf_token": host_token,
        },
    )
    with in_app():
        rules = moderation.block_rules()
    assert [r.value for r in rules] == ["casino", "poker"]
    page = client.get("/dashboard/moderation").get_data(as_text=True)
    assert "casino" in page and "poker" in page
    client.post(
        f"/dashboard/moderation/blocks/{rules[0].id}/delete",
        data={"csrf_token": host_token},
    )
    with in_app():
        assert [r.value for r in moderation.block_rules()] == ["poker"]


def test_one_word_blocked_from_two_tabs_at_once_is_one_rule(app, client, host_token):
    """Each tab finds the word not blocked yet before either stores it: both
    are answered, and the word is blocked once."""
    tabs = tabs_of(app, client)
    form = {"kind": "word", "values": "casino", "csrf_token": host_token}
    answers = post_at_once(
        app, "block_rule", tabs, "/dashboard/moderation/blocks", form
    )
    assert [a.status_code for a in answers] == [303, 303]
    with in_app():
        assert [r.value for r in moderation.block_rules()] == ["casino"]


def test_closed_episode_refuses_listener_comments_in_form_and_json(
    client, csrf, host_token, episode
):
    response = client.post(
        f"/dashboard/episodes/{episode.id}/close", data={"csrf_token": host_token}
    )
    assert response.status_code == 303
    episode = reload(episode)
    assert episode.comments_closed
    client.post("/logout", data={"csrf_token": host_token})

    json_response = post_as_listener(client, csrf)
    assert json_response.status_code == 400
    assert json_response.get_json()["error"] == "Comments are closed on this episode."
    form_response = client.post(
        "/episodes/lighthouse/comments",
        data={
            "author": "Nia",
            "body": "Let me in",
            "timestamp": "",
            "csrf_token": csrf("/episodes/lighthouse"),
        },
    )
    assert form_response.status_code == 400
    assert "Comments are closed on this episode." in form_response.get_data(True)
    with in_app() as session:
        assert session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_reopened_episode_takes_comments_again(client, csrf, host_token, episode):
    update(episode, comments_closed=True)
    client.post(
        f"/dashboard/episodes/{episode.id}/reopen", data={"csrf_token": host_token}
    )
    client.post("/logout", data={"csrf_token": host_token})
    assert post_as_listener(client, csrf).status_code == 201


def test_hosts_may_still_reply_on_a_closed_episode(client, host_token, episode):
    update(episode, comments_closed=True)
    comment = make_comment(episode)
    response = client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "Closing note", "csrf_token": host_token},
    )
    assert response.status_code == 303


def test_purge_removes_only_comments_deleted_long_enough_ago(
    app_context, episode, clock
):
    now = clock.now
    old = make_comment(episode, status="deleted", deleted_at=now - timedelta(days=31))
    old_reply = make_comment(episode, parent_id=old.id)
    recent = make_comment(
        episode, status="deleted", deleted_at=now - timedelta(days=29, seconds=-1)
    )
    kept = make_comment(episode)
    old_id, reply_id = old.id, old_reply.id
    clock.advance(days=1)
    assert moderation.purge_deleted() == 1
    db.session.expire_all()
    remaining = set(db.session.scalars(sa.select(Comment.id)))
    assert old_id not in remaining and reply_id not in remaining
    assert {recent.id, kept.id} <= remaining
    clock.advance(seconds=1)
    assert moderation.purge_deleted() == 1


def test_purge_command_takes_a_number_of_days(runner, episode):
    now = datetime.now(UTC)
    make_comment(episode, status="deleted", deleted_at=now - timedelta(days=31))
    make_comment(episode, status="deleted", deleted_at=now - timedelta(days=10))
    published = make_comment(episode)

    result = runner.invoke(args=["hub", "purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 deleted comment older than 30 days." in result.output

    result = runner.invoke(args=["hub", "purge", "--days", "7"])
    assert "Purged 1 deleted comment older than 7 days." in result.output
    with in_app() as session:
        assert list(session.scalars(sa.select(Comment.id))) == [published.id]

    result = runner.invoke(args=["hub", "purge", "--days", "-1"])
    assert result.exit_code == 2


def post_as(browser, author, email=None):
    """Post a general comment from `browser` (a test client); return its JSON."""
    page = browser.get("/episodes/lighthouse").get_data(as_text=True)
    return browser.post(
        "/api/episodes/lighthouse/comments",
        json={"author": author, "email": email, "body": "Me again", "timestamp": None},
        headers={"X-CSRFToken": csrf_from(page)},
    ).get_json()


@pytest.mark.parametrize("known_email", [None, "lee@example.com"])
@pytest.mark.parametrize("email", [None, "", "attacker@example.com"])
def test_hold_first_does_not_know_a_commenter_by_their_public_name(
    client, show, episode, known_email, email
):
    update(show, moderation_mode="hold_first")
    make_comment(episode, author="Lee", email=known_email)
    posed = post_as(client, "Lee", email=email)
    assert posed["status"] == "pending"
    assert posed["id"] not in public_ids(client)


def test_hold_first_knows_a_commenter_by_their_address_or_their_browser(
    client, app, show, episode
):
    update(show, moderation_mode="hold_first")
    make_comment(episode, author="Lee", email="lee@example.com")
    assert post_as(client, "Lee", email="LEE@Example.com")["status"] == "published"
    browser = app.test_client()
    first = post_as(browser, "Kim")
    assert first["status"] == "pending"
    assert post_as(browser, "Kim")["status"] == "pending"
    with in_app() as session:
        moderation.apply(session.get(Comment, first["id"]), "approve")
    again = post_as(browser, "Kim")
    assert again["status"] == "published"
    assert again["id"] in public_ids(app.test_client())
    # Another browser under the same name is still a stranger.
    assert post_as(app.test_client(), "Kim")["status"] == "pending"


@pytest.mark.parametrize(
    ("kind", "value", "comment"),
    [
        ("word", "casino", {"body": "Visit my ca\u200bsino"}),  # zero-width space
        ("word", "casino", {"body": "Visit my cas\u00adino"}),  # soft hyphen
        ("word", "casino", {"body": "Visit my c\u0430sino"}),  # Cyrillic а
        ("word", "casino", {"body": "Visit my \uff43\uff41\uff53\uff49\uff4e\uff4f"}),
        ("word", "casino", {"body": "Visit my \u202eonisac"}),  # shows as casino
        ("word", "casino", {"author": "C\u0430sino King"}),
        ("word", "free money", {"body": "Get free\u00a0money"}),
        ("word", "c\u0430sino", {"body": "Visit my casino"}),  # the rule's lookalike
        ("email", "@spam.example", {"email": "x@spam.example."}),
        ("email", "@spam.example", {"email": "x@mail.spam.example"}),
        ("email", "@spam.example", {"email": "x@SPAM.Example"}),
        ("email", "@spam.example", {"email": "x@spam\u200b.example"}),
        ("email", "@spam.example", {"email": "x@sp\u0430m.example"}),  # Cyrillic а
        ("email", "@spam.example", {"email": "x@spam\uff0eexample"}),  # fullwidth dot
        ("email", "@spam.example.", {"email": "x@spam.example"}),
        ("email", "@bücher.example", {"email": "x@xn--bcher-kva.example"}),
        ("email", "@xn--bcher-kva.example", {"email": "x@B\u00dcCHER.example"}),
        ("email", "spammer@example.com", {"email": "spammer@example.com."}),
        ("email", "spammer@example.com", {"email": "spa\u200bmmer@example.com"}),
    ],
)
def test_block_rules_match_every_spelling_that_looks_the_same(
    app_context, episode, kind, value, comment
):
    moderation.add_block_rules(kind, value)
    values = {"author": "Bo", "email": None, "body": "Hi"} | comment
    assert moderation.is_blocked(**values)


@pytest.mark.parametrize(
    ("kind", "value", "comment"),
    [
        ("email", "@spam.example", {"email": "x@notspam.example"}),
        ("email", "@spam.example", {"email": "x@spam.example.org"}),
        ("email", "@spam.example", {"email": "spam.example@ok.example"}),
        ("email", "spammer@example.com", {"email": "other@example.com"}),
        ("email", "spammer@example.com", {"email": "spammer@mail.example.com"}),
        ("word", "casino", {"body": "casinos and cas inos"}),
    ],
)
def test_block_rules_leave_other_addresses_and_words_alone(
    app_context, episode, kind, value, comment
):
    moderation.add_block_rules(kind, value)
    values = {"author": "Bo", "email": None, "body": "Hi"} | comment
    assert not moderation.is_blocked(**values)


@pytest.mark.parametrize(
    ("kind", "value", "email", "body"),
    [
        ("word", "casino", "ok@example.com", "Visit my c\u0430s\u200bino"),
        ("email", "@spam.example", "x@mail.spam.example.", "Hi"),
    ],
)
def test_a_disguised_blocked_comment_still_goes_to_spam(
    client, csrf, host_token, episode, kind, value, email, body
):
    client.post(
        "/dashboard/moderation/blocks",
        data={"kind": kind, "values": value, "csrf_token": host_token},
    )
    client.post("/logout", data={"csrf_token": host_token})
    posted = post_as_listener(client, csrf, body=body, email=email)
    assert posted.status_code == 201
    assert posted.get_json()["status"] == "pending"
    assert get(Comment, posted.get_json()["id"]).status == "spam"


def card_html(client, tab="all"):
    return client.get(f"/dashboard?tab={tab}").get_data(as_text=True)


def post_form(client, path, token, **data):
    return client.post(path, data={"csrf_token": token, "next": "/dashboard", **data})


def test_blocking_a_browser_without_an_address_blocks_its_next_comments(
    client, app, host_token, show, episode
):
    """A listener with no address is known by the browser that posted: another
    browser under the same name is not blocked."""
    listener = app.test_client()
    first = post_as(listener, "Kim")
    assert first["status"] == "published"
    response = post_form(client, f"/dashboard/comments/{first['id']}/block", host_token)
    assert response.status_code == 303
    assert get(Comment, first["id"]).status == "spam"
    again = post_as(listener, "Kim")
    # The poster is told "pending", as for any spam: the host's inbox says why.
    assert again["status"] == "pending"
    assert get(Comment, again["id"]).status == "spam"
    assert post_as(app.test_client(), "Kim")["status"] == "published"
    reason = get(Comment, again["id"]).moderation_reason
    assert reason == "Spam: you blocked this person"
    assert reason in card_html(client, "spam")


def test_trusting_skips_holding_and_the_filter_until_taken_back(
    client, app, host_token, show, episode
):
    update(show, moderation_mode="hold_all")
    listener = app.test_client()
    first = post_as(listener, "Kim", email="kim@example.com")
    assert first["status"] == "pending"
    post_form(client, f"/dashboard/comments/{first['id']}/trust", host_token)
    assert get(Comment, first["id"]).status == "published"
    link = "Notes: https://example.com/a https://example.com/b https://example.com/c"
    trusted = listener.post(
        "/api/episodes/lighthouse/comments",
        json={"author": "Kim", "email": "KIM@example.com", "body": link},
        headers={"X-CSRFToken": csrf_from(listener.get("/").get_data(as_text=True))},
    ).get_json()
    assert trusted["status"] == "published"
    html = card_html(client)
    assert "trusted" in html and "kim@example.com" not in html.lower()
    response = post_form(
        client, f"/dashboard/comments/{first['id']}/untrust", host_token
    )
    assert response.status_code == 303
    assert post_as(listener, "Kim", email="kim@example.com")["status"] == "pending"


def test_people_rules_are_listed_without_the_address_and_removable(
    client, host_token, episode
):
    comment = make_comment(episode, author="Lee", email="lee@example.com")
    post_form(client, f"/dashboard/comments/{comment.id}/block", host_token)
    page = client.get("/dashboard/moderation").get_data(as_text=True)
    assert "Lee" in page and f"blocked from comment #{comment.id}" in page
    # Listed once, in the page: the tab's title is only its name.
    assert page.count('id="people-title"') == 1
    assert re.search(r"<title>Moderation · Dashboard\b", page)
    assert "lee@example.com" not in page
    [rule_id] = set(re.findall(r"/dashboard/moderation/people/(\d+)/delete", page))
    client.post(
        f"/dashboard/moderation/people/{rule_id}/delete",
        data={"csrf_token": host_token},
    )
    page = client.get("/dashboard/moderation").get_data(as_text=True)
    assert "Nobody is blocked or trusted." in page
    with in_app():
        assert people.find(email="lee@example.com", own_ids={}) is None


def test_a_person_blocked_from_two_tabs_at_once_is_one_rule(
    app, client, host_token, episode
):
    """ "Block this person" pressed in two tabs at once: each finds them not
    blocked before either stores it. Both are answered; one rule is listed,
    and unblocking it once unblocks them."""
    comment = make_comment(episode, author="Lee", email="lee@example.com")
    tabs = tabs_of(app, client)
    path = f"/dashboard/comments/{comment.id}/block"
    with writes_meet(app, "person_rule"):
        answers = at_once(
            *(lambda tab=tab: post_form(tab, path, host_token) for tab in tabs)
        )
    assert [a.status_code for a in answers] == [303, 303]
    page = client.get("/dashboard/moderation").get_data(as_text=True)
    [rule_id] = re.findall(r"/dashboard/moderation/people/(\d+)/delete", page)
    client.post(
        f"/dashboard/moderation/people/{rule_id}/delete",
        data={"csrf_token": host_token},
    )
    with in_app():
        assert people.find(email="lee@example.com", own_ids={}) is None


def test_a_hosts_comment_cannot_be_blocked(client, host_token, episode):
    reply = make_comment(episode, is_host=True, author="Hannah")
    response = client.post(
        f"/dashboard/comments/{reply.id}/block",
        json={},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "host" in response.get_json()["error"]


def undo_key(html):
    return re.search(r'name="key" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    ("path", "data", "before", "after"),
    [
        ("moderate", {"action": "hide"}, "published", "hidden"),
        ("moderate", {"action": "spam"}, "published", "spam"),
        ("moderate", {"action": "delete"}, "published", "deleted"),
        ("moderate", {"action": "approve"}, "pending", "published"),
        ("block", {}, "pending", "spam"),
        ("trust", {}, "spam", "published"),
    ],
)
def test_every_card_action_without_javascript_offers_undo_that_restores_it(
    client, host_token, episode, path, data, before, after
):
    comment = make_comment(episode, author="Lee", status=before)
    response = post_form(
        client, f"/dashboard/comments/{comment.id}/{path}", host_token, **data
    )
    assert response.status_code == 303
    assert get(Comment, comment.id).status == after
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="toast" role="status"' in page
    assert "Lee" in re.search(r'<p class="toast-message">([^<]*)', page).group(1)
    undone = post_form(client, "/dashboard/undo", host_token, key=undo_key(page))
    assert undone.status_code == 303
    restored = get(Comment, comment.id)
    assert (restored.status, restored.deleted_at) == (before, None)
    assert "Undone:" in client.get("/dashboard").get_data(as_text=True)
    assert scalar_rules() == 0


def scalar_rules():
    from podcast_hub.models import PersonRule

    with in_app() as session:
        return session.scalar(sa.select(sa.func.count(PersonRule.id)))


def test_undo_leaves_alone_a_comment_changed_since(client, host_token, episode):
    comment = make_comment(episode)
    response = post_form(
        client, f"/dashboard/comments/{comment.id}/moderate", host_token, action="hide"
    )
    key = undo_key(client.get(response.headers["Location"]).get_data(as_text=True))
    post_form(
        client, f"/dashboard/comments/{comment.id}/moderate", host_token, action="spam"
    )
    post_form(client, "/dashboard/undo", host_token, key=key)
    assert get(Comment, comment.id).status == "spam"


def test_undo_of_a_bulk_action_restores_every_comment_as_it_was(
    client, host_token, episode
):
    pinned = make_comment(episode, pinned=True)
    held = make_comment(episode, status="pending")
    gone = make_comment(episode, status="deleted", deleted_at=datetime.now(UTC))
    ids = [pinned.id, held.id, gone.id]
    response = client.post(
        "/dashboard/comments/bulk",
        json={"action": "spam", "ids": ids, "next": "/dashboard"},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    answer = response.get_json()
    assert answer["message"] == "3 comments marked as spam."
    assert {get(Comment, i).status for i in ids} == {"spam"}
    undone = client.post(
        answer["undo"]["url"],
        json={"key": answer["undo"]["key"]},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    assert undone.status_code == 200
    assert undone.get_json()["message"] == "Undone: 3 comments marked as spam."
    assert [get(Comment, i).status for i in ids] == ["published", "pending", "deleted"]
    assert get(Comment, gone.id).deleted_at is not None
    again = client.post(
        answer["undo"]["url"],
        json={"key": answer["undo"]["key"]},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    assert again.status_code == 409


def test_undo_needs_csrf_and_a_host(client, csrf, episode):
    response = client.post("/dashboard/undo", data={"key": "x"})
    assert response.status_code in (302, 400, 401, 403)


def test_blocking_a_person_sends_all_they_wrote_to_spam_and_undo_brings_it_back(
    client, host_token, episode
):
    flood = [
        make_comment(episode, author="Ad", email="ads@example.com") for _ in range(3)
    ]
    held = make_comment(episode, author="Ad", email="ADS@example.com", status="pending")
    other = make_comment(episode, author="Lee", email="lee@example.com")
    response = client.post(
        f"/dashboard/comments/{flood[0].id}/block",
        json={"next": "/dashboard"},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    answer = response.get_json()
    assert answer["message"] == (
        "Ad is blocked: 4 comments went to spam, and their new ones will too."
    )
    theirs = [c.id for c in flood] + [held.id]
    assert sorted(answer["ids"]) == sorted(theirs)
    assert {get(Comment, i).status for i in theirs} == {"spam"}
    assert get(Comment, other.id).status == "published"
    client.post(
        answer["undo"]["url"],
        json={"key": answer["undo"]["key"]},
        headers={"X-CSRFToken": host_token, "Accept": "application/json"},
    )
    assert [get(Comment, i).status for i in theirs] == ["published"] * 3 + ["pending"]
    assert scalar_rules() == 0
