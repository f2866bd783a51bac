"""Errors outside the JSON API: a plain page for people, with the site's headers
and a way back, or JSON for a script that asks for it; never a trace."""

import re

import pytest

from podcast_hub.catalog import episodes

from .conftest import csrf_from
from .helpers import make_episode, make_show

HEADINGS = {
    400: "That did not work",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    429: "Slow down",
    500: "Something went wrong",
}


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="ep", duration_s=1800)


def comment_form(client, **fields):
    data = {"author": "Lee", "body": "Hi", "timestamp": ""}
    data["csrf_token"] = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    return {**data, **fields}


def assert_error_page(response, status):
    """Is `response` the error page of `status`, with the site's safety headers?"""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert heading == HEADINGS[status]
    assert 'href="/">Back to the show</a>' in html
    assert "Traceback" not in html
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return html


def test_an_unknown_page_is_404(client, episode):
    assert_error_page(client.get("/episodes/nope"), 404)
    assert_error_page(client.get("/no/such/page"), 404)


def test_a_method_a_page_does_not_take_is_405_naming_the_ones_it_does(client):
    response = client.get("/logout")
    assert_error_page(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_form_without_its_csrf_token_is_400_saying_what_to_do(client, episode):
    response = client.post("/episodes/ep/comments", data={"author": "Lee"})
    html = assert_error_page(response, 400)
    assert "reload the page and try again" in html


def test_a_body_over_the_limit_is_413(client, episode):
    response = client.post(
        "/episodes/ep/comments", data=comment_form(client, body="x" * 70_000)
    )
    html = assert_error_page(response, 413)
    assert "larger than 64 KB, the most this address accepts" in html


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1 per minute"}],
)
def test_comments_too_fast_are_429_saying_when_to_try_again(client, episode):
    first = client.post("/episodes/ep/comments", data=comment_form(client))
    assert first.status_code == 303
    response = client.post("/episodes/ep/comments", data=comment_form(client))
    assert_error_page(response, 429)
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize("config_overrides", [{"PROPAGATE_EXCEPTIONS": False}])
def test_a_bug_is_a_500_page_without_details(client, episode, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the failure")

    monkeypatch.setattr(episodes, "published_episodes", broken)
    response = client.get("/")
    html = assert_error_page(response, 500)
    assert "secret detail" not in html


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [("/episodes/nope", "GET", 404), ("/logout", "GET", 405)],
)
def test_a_script_asking_for_json_gets_the_error_shape(client, path, method, status):
    response = client.open(path, method=method, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error", "fields"} and body["error"]


def test_a_host_name_the_site_does_not_answer_to_is_400_without_echoing_it(client, app):
    app.config["TRUSTED_HOSTS"] = ["podcast.example.org"]
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
