"""Every error of the JSON API has its one shape: `{"error": ..., "fields": {...}}`,
whatever its status and whoever raised it (a form, the rules, CSRF, the rate
limit, the body limit, routing, or a bug)."""

import inspect
from datetime import UTC, datetime, timedelta

import pytest

from podcast_hub.catalog import episodes

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_show


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=1800)


def token(client):
    return csrf_from(client.get("/episodes/ep").get_data(as_text=True))


def post(client, payload, **kwargs):
    headers = {"X-CSRFToken": token(client)}
    return client.post(
        "/api/episodes/ep/comments", json=payload, headers=headers, **kwargs
    )


def assert_error_shape(response, status):
    """Is `response` the API's error of `status`, and nothing else?"""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "fields"}, body
    assert isinstance(body["error"], str) and body["error"].strip()
    assert isinstance(body["fields"], dict)
    for field, messages in body["fields"].items():
        assert isinstance(field, str) and messages
        assert all(isinstance(m, str) and m for m in messages)
    return body


def invalid_fields(client, episode):
    return post(client, {"author": "", "body": "Hi", "email": "nope"})


def not_an_object(client, episode):
    return post(client, ["a", "list"])


def bad_sort(client, episode):
    return client.get("/api/episodes/ep/comments?page=1&sort=loudest")


def moderate(client, episode, action):
    comment = make_comment(episode)
    return client.post(
        f"/api/comments/{comment.id}/moderation",
        json={"action": action},
        headers={"X-CSRFToken": token(client)},
    )


def bad_moderation_action(client, episode, auth):
    auth.login()
    return moderate(client, episode, "burn")


def anonymous_moderation(client, episode):
    return moderate(client, episode, "hide")


def missing_csrf_token(client, episode):
    return client.post("/api/episodes/ep/comments", json={"author": "Lee"})


def someone_elses_comment(client, episode):
    comment = make_comment(episode)
    return client.patch(
        f"/api/comments/{comment.id}",
        json={"body": "Mine now"},
        headers={"X-CSRFToken": token(client)},
    )


def after_the_edit_window(client, episode, clock):
    mine = post(client, {"author": "Lee", "body": "First"}).get_json()
    clock.advance(minutes=16)
    return client.patch(
        f"/api/comments/{mine['id']}",
        json={"body": "Too late"},
        headers={"X-CSRFToken": token(client)},
    )


def unknown_episode(client, episode):
    return client.get("/api/episodes/nope")


def unknown_comment(client, episode):
    return client.get("/api/comments/999")


def unknown_parent(client, episode):
    return post(client, {"author": "Lee", "body": "Hi", "parent_id": 999})


def unknown_route(client, episode):
    return client.get("/api/nothing-here")


def wrong_method(client, episode):
    return client.delete("/api/episodes")


def too_large_a_body(client, episode):
    return post(client, {"author": "Lee", "body": "x" * 70_000})


def unknown_future_episode(client, episode):
    make_episode(slug="soon", published_at=datetime.now(UTC) + timedelta(days=1))
    return client.get("/api/episodes/soon/comments")


CASES = {
    "invalid fields": (invalid_fields, 400),
    "a body that is not an object": (not_an_object, 400),
    "an unknown sort": (bad_sort, 400),
    "an unknown moderation action": (bad_moderation_action, 400),
    "anonymous moderation": (anonymous_moderation, 401),
    "no CSRF token": (missing_csrf_token, 403),
    "someone else's comment": (someone_elses_comment, 403),
    "after the edit window": (after_the_edit_window, 403),
    "an unknown episode": (unknown_episode, 404),
    "a scheduled episode": (unknown_future_episode, 404),
    "an unknown comment": (unknown_comment, 404),
    "an unknown parent comment": (unknown_parent, 404),
    "an unknown route": (unknown_route, 404),
    "a method the route does not take": (wrong_method, 405),
    "a body over the limit": (too_large_a_body, 413),
}


@pytest.mark.parametrize(("case", "status"), CASES.values(), ids=CASES)
def test_every_error_status_has_the_error_shape(request, episode, case, status):
    wanted = inspect.signature(case).parameters
    assert_error_shape(case(**{n: request.getfixturevalue(n) for n in wanted}), status)


def test_field_errors_name_their_fields(client, episode):
    body = assert_error_shape(invalid_fields(client, episode), 400)
    assert set(body["fields"]) == {"author", "email"}
    body = assert_error_shape(unknown_parent(client, episode), 404)
    assert set(body["fields"]) == {"parent_id"}


def test_a_method_the_route_does_not_take_says_which_it_does(client, episode):
    response = wrong_method(client, episode)
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1 per minute"}],
)
def test_too_many_comments_has_the_error_shape_and_says_when(client, episode):
    assert post(client, {"author": "Lee", "body": "One"}).status_code == 201
    response = post(client, {"author": "Lee", "body": "Two"})
    assert_error_shape(response, 429)
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("config_overrides", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_bug_is_a_500_with_the_error_shape_and_no_details(
    client, episode, monkeypatch
):
    def broken():
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(episodes, "published_episodes", broken)
    response = client.get("/api/episodes")
    body = assert_error_shape(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert body["fields"] == {}
