"""Errors outside the JSON API: a plain page for people, with the site's headers
and a way back, or JSON for a script that asks for it; never a trace."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.catalog import episodes

from .conftest import csrf_from, make_app
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
    response = client.post("/logout", data={})
    html = assert_error_page(response, 400)
    assert "reload the page and try again" in html


def test_a_comment_without_its_csrf_token_comes_back_with_the_words(client, episode):
    """A no-JS poster whose form lost its token gets the episode page with the
    words typed, a fresh token and what to do; nothing was posted."""
    response = client.post(
        "/episodes/ep/comments",
        data={"author": "Lee", "body": "Words I typed", "timestamp": "1:00"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Words I typed</textarea>" in html
    assert 'value="Lee"' in html and 'value="1:00"' in html
    assert "Your words are below: check them and post again." in html
    again = client.post(
        "/episodes/ep/comments",
        data={"author": "Lee", "body": "Words I typed", "csrf_token": csrf_from(html)},
    )
    assert again.status_code == 303


def test_a_comment_form_whose_session_ended_comes_back_with_the_words(client, episode):
    """Tokens live as long as the browser's session: when it ended (the browser
    was closed, the host logged out in another tab) while the page was open,
    the words come back, ready to post again."""
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    with client.session_transaction() as session:
        session.clear()
    response = client.post(
        "/episodes/ep/comments",
        data={"author": "Lee", "body": "Kept words", "csrf_token": token},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Kept words</textarea>" in html
    assert "The page was open too long" in html
    assert "fix the marked fields" not in html


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
def test_comments_too_fast_come_back_with_the_words_and_when_to_try_again(
    client, episode
):
    """Without JavaScript, a poster over the limit gets the page back with
    their words and a human message, never the limiter's "1 per 1 minute"."""
    first = client.post("/episodes/ep/comments", data=comment_form(client))
    assert first.status_code == 303
    response = client.post(
        "/episodes/ep/comments",
        data=comment_form(client, body="My second thought", timestamp="0:42"),
    )
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    html = response.get_data(as_text=True)
    assert "My second thought</textarea>" in html and 'value="0:42"' in html
    assert "You&#39;re posting faster than this show allows: wait" in html
    assert "and post again." in html
    assert "per 1 minute" not in html and "fix the marked fields" not in html


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1 per minute"}],
)
def test_the_api_says_too_fast_in_words_with_retry_after(client, episode):
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    body = {"author": "Lee", "body": "Hi"}
    assert (
        client.post("/api/episodes/ep/comments", json=body, headers=headers).status_code
        == 201
    )
    response = client.post("/api/episodes/ep/comments", json=body, headers=headers)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    error = response.get_json()["error"]
    assert error.startswith("You're posting faster than this show allows: wait ")
    assert "per 1 minute" not in error


@pytest.mark.parametrize(
    ("path", "status"), [("/episodes/nope", 404), ("/logout", 405)]
)
def test_error_pages_carry_the_show_not_the_software(client, episode, path, status):
    html = assert_error_page(client.get(path), status)
    assert f"<title>{status} · Moments Test Show</title>" in html
    assert '<a class="site-title" href="/">Moments Test Show</a>' in html
    assert '<p class="error-page__show">Moments Test Show</p>' in html
    assert 'src="/media/cover.png"' in html
    assert "Podcast Hub" not in html


def test_a_503_page_carries_the_last_show_seen_without_asking_the_database(
    client, episode, monkeypatch
):
    assert client.get("/").status_code == 200

    def away(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is away"))

    monkeypatch.setattr(episodes, "published_episodes", away)
    monkeypatch.setattr(episodes, "get_show", away)
    response = client.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert "<h1>Back in a moment</h1>" in html
    assert '<a class="site-title" href="/">Moments Test Show</a>' in html


def test_a_503_page_renders_before_any_show_was_seen(media_dir):
    app = make_app(
        {
            "DATABASE_URL": "sqlite:////nonexistent-dir/nope/db.sqlite",
            "MEDIA_DIR": str(media_dir),
        }
    )
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert "<h1>Back in a moment</h1>" in response.get_data(as_text=True)


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
