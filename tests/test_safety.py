"""What every request and response goes through: the body limit, error pages that
show nothing private, bounded parameters, security headers, rate-limit keys."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from podcast_hub.models import Comment

from .conftest import csrf_from
from .helpers import make_comment, make_episode, make_show, reload, scalar

DEMO_AUDIO = Path(__file__).parent.parent / "episodes" / "01-welcome-to-moments.mp3"
HUGE = "600000000"


@pytest.fixture
def secrets_on_show(app):
    """A show with an owner address, a draft and a scheduled episode."""
    make_show(owner_email="owner-secret@example.com")
    published = make_episode(slug="out-now", title="Out now")
    draft = make_episode(
        slug="draft-secret",
        title="Draft Secret Title",
        guid="guid-of-the-draft",
        audio_file="draft-secret.mp3",
        published_at=None,
    )
    scheduled = make_episode(
        slug="scheduled-secret",
        title="Scheduled Secret Title",
        guid="guid-of-the-scheduled",
        audio_file="scheduled-secret.mp3",
        published_at=datetime.now(UTC) + timedelta(days=3),
    )
    return published, draft, scheduled


def _announce_huge_body(client, path):
    """POST to `path` claiming a 600 MB body, as an attacker can without sending it."""
    return client.post(
        path,
        input_stream=io.BytesIO(b""),
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": HUGE},
    )


def _fill(rule, values):
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<int:{argument}>", str(values.get(argument, 1)))
        path = path.replace(f"<path:{argument}>", str(values.get(argument, "x")))
        path = path.replace(f"<{argument}>", str(values.get(argument, "x")))
    return path


def test_an_announced_huge_body_never_shows_a_dashboard_page_to_a_stranger(
    app, client, secrets_on_show
):
    """Every POST route of the dashboard, uploads above all, with each episode id."""
    _published, draft, scheduled = secrets_on_show
    secrets = [
        "Draft Secret Title",
        "guid-of-the-draft",
        "draft-secret.mp3",
        "Scheduled Secret Title",
        "guid-of-the-scheduled",
        "owner-secret@example.com",
    ]
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.") and "POST" in rule.methods
    ]
    assert any(
        getattr(app.view_functions[rule.endpoint], "accepts_upload", False)
        for rule in rules
    ), "the dashboard has upload routes"
    for rule in rules:
        for episode in (draft, scheduled):
            path = _fill(rule, {"episode_id": episode.id})
            response = _announce_huge_body(client, path)
            page = response.get_data(as_text=True)
            assert response.status_code in (302, 303, 401, 413), path
            for secret in secrets:
                assert secret not in page, (path, secret)


def test_a_host_still_gets_the_upload_page_explaining_the_limit(
    app, client, auth, secrets_on_show
):
    auth.login()
    _published, draft, _scheduled = secrets_on_show
    response = _announce_huge_body(client, f"/dashboard/episodes/{draft.id}/audio")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Draft Secret Title" in page
    assert "larger than 500 MB" in page


def test_a_host_uploads_audio_larger_than_the_small_body_limit(
    app, client, auth, secrets_on_show
):
    auth.login()
    data = DEMO_AUDIO.read_bytes()
    assert len(data) > app.config["MAX_BODY_BYTES"]
    token = csrf_from(client.get("/dashboard/episodes/new").get_data(as_text=True))
    response = client.post(
        "/dashboard/episodes/new",
        data={
            "csrf_token": token,
            "title": "A big one",
            "audio": (io.BytesIO(data), "big.mp3"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def test_a_stranger_cannot_upload_more_than_the_small_limit(
    app, client, secrets_on_show
):
    data = DEMO_AUDIO.read_bytes()
    response = client.post(
        "/dashboard/episodes/new",
        data={"title": "Nope", "audio": (io.BytesIO(data), "big.mp3")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "64 KB" in response.get_data(as_text=True)


@pytest.fixture
def episode(app):
    make_show()
    return make_episode(slug="talk", duration_s=600)


def _comment_count():
    return scalar(sa.select(sa.func.count()).select_from(Comment))


def test_an_anonymous_body_over_64_kb_is_refused_before_it_is_read(
    app, client, csrf, episode
):
    token = csrf("/episodes/talk")
    response = client.post(
        "/episodes/talk/comments",
        data={"csrf_token": token, "author": "Lee", "body": "x" * (65 * 1024)},
    )
    assert response.status_code == 413
    assert "64 KB" in response.get_data(as_text=True)
    assert _comment_count() == 0


def test_a_big_json_comment_is_refused_with_json(app, client, csrf, episode):
    token = csrf("/episodes/talk")
    body = json.dumps({"author": "Lee", "body": "x" * (200 * 1024)})
    response = client.post(
        "/api/episodes/talk/comments",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 413
    assert "64 KB" in response.get_json()["error"]
    assert _comment_count() == 0


# What a server that de-chunks bodies itself (gunicorn, the dev server) passes on.
_CHUNKED = {
    "CONTENT_LENGTH": "",
    "HTTP_TRANSFER_ENCODING": "chunked",
    "wsgi.input_terminated": True,
}


def test_a_body_without_length_is_refused_over_the_limit(app, client, csrf, episode):
    """A chunked body (no Content-Length) is read only up to the limit."""
    token = csrf("/episodes/talk")
    body = json.dumps({"author": "Lee", "body": "x" * (200 * 1024)}).encode()
    response = client.post(
        "/api/episodes/talk/comments",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
        environ_overrides=_CHUNKED,
    )
    assert response.status_code == 413
    assert _comment_count() == 0


def test_a_small_body_without_length_is_read_whole(app, client, csrf, episode):
    token = csrf("/episodes/talk")
    body = json.dumps({"author": "Lee", "body": "x" * 9000}).encode()
    response = client.post(
        "/api/episodes/talk/comments",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
        environ_overrides=_CHUNKED,
    )
    assert response.status_code == 201
    assert response.get_json()["body"] == "x" * 9000


def test_comments_under_the_limit_still_post(app, client, csrf, episode):
    token = csrf("/episodes/talk")
    response = client.post(
        "/episodes/talk/comments",
        data={"csrf_token": token, "author": "Lee", "body": "x" * 9000},
    )
    assert response.status_code == 303
    assert _comment_count() == 1


# Parameters: every one parsed with bounds; bad input is a 4xx, never a 500.


@pytest.mark.parametrize(
    "query",
    [
        "t=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
        "t=" + "9" * 5000,
        "t=%D9%A3",  # an Arabic-Indic three
        "t=99:99:99:99",
        "page=" + "9" * 40,
        "page=99999999999999999999",
        "page=-1",
        "page=%C2%B2",
        "comment=" + "9" * 40,
        "comment=9223372036854775808",
        "sort=%00",
        "host=%FF",
    ],
)
def test_odd_query_strings_on_the_episode_page_are_not_errors(client, episode, query):
    make_comment(episode)
    response = client.get(f"/episodes/talk?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["page=" + "9" * 40, "page=%C2%B2", "sort=x"])
def test_odd_query_strings_on_the_comments_api_are_not_server_errors(
    client, episode, query
):
    response = client.get(f"/api/episodes/talk/comments?{query}")
    assert response.status_code in (200, 400)


def test_query_arguments_never_reach_url_building(client, episode):
    """`endpoint`, `_external` and friends are url_for's own arguments."""
    for query in ("endpoint=x", "_external=1", "_anchor=x", "slug=other", "t=12"):
        response = client.get(f"/episodes/talk/comments?{query}")
        assert response.status_code == 302, query
        assert response.headers["Location"].startswith("/episodes/talk")


@pytest.mark.parametrize(
    "number", ["9223372036854775808", "9" * 40, "0", "%D9%A3", "%C2%B2"]
)
def test_ids_out_of_range_match_no_route(app, client, auth, episode, number):
    """Every route with an id: a number a 64-bit id cannot hold is a 404."""
    auth.login()
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 10
    for rule in rules:
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", number).replace(
                f"<{argument}>", "talk"
            )
        method = "GET" if "GET" in rule.methods else sorted(rule.methods)[0]
        response = client.open(path, method=method, headers={"X-CSRFToken": token})
        assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize("depth", [33, 10_000, 60_000])
def test_deeply_nested_json_is_a_clear_400(client, csrf, episode, depth):
    token = csrf("/episodes/talk")
    body = "[" * depth + "]" * depth
    response = client.post(
        "/api/episodes/talk/comments",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code in (400, 413)
    assert response.is_json


def test_json_nested_a_little_is_read_as_usual(client, csrf, episode):
    token = csrf("/episodes/talk")
    response = client.post(
        "/api/episodes/talk/comments",
        json={"author": "Lee", "body": '[{"not": ["nested"]}]', "x": [[[1]]]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


# Security headers on every route.


def _every_route_path(app, values):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            yield rule, "/static/style.css"
            continue
        yield rule, _fill(rule, values)


def test_every_route_sends_the_security_headers(app, client, auth, episode):
    """Walk `app.url_map`: pages, feeds, media, JSON, errors, for anyone and hosts."""
    comment = make_comment(episode)
    values = {"slug": "talk", "comment_id": comment.id, "episode_id": episode.id}
    for logged_in in (False, True):
        if logged_in:
            auth.login()
        for rule, path in _every_route_path(app, values):
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(path, method=method)
            response.close()
            headers = response.headers
            where = (method, path, response.status_code)
            policy = headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'none'" in policy, where
            assert "script-src 'self'" in policy, where
            assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
            assert headers.get("X-Frame-Options") == "DENY", where
            assert headers.get("X-Content-Type-Options") == "nosniff", where
            assert headers.get("Referrer-Policy"), where
            # gunicorn names itself without a version; the app adds nothing.
            assert "Server" not in headers, where


def test_pages_carry_no_inline_script(app, client, auth, episode):
    """The policy allows only our own script files: nothing inline may need more."""
    from html.parser import HTMLParser

    make_comment(episode)

    class Scripts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.problems = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "script" and not attrs.get("src"):
                self.problems.append("inline <script>")
            for name, value in attrs.items():
                if name.startswith("on"):
                    self.problems.append(f"{tag} {name}")
                if (value or "").strip().lower().startswith("javascript:"):
                    self.problems.append(f"{tag} {name}={value}")

    auth.login()
    for path in (
        "/",
        "/episodes/talk",
        "/login",
        "/dashboard",
        "/dashboard/episodes",
        f"/dashboard/episodes/{episode.id}",
        f"/dashboard/episodes/{episode.id}/insights",
        "/dashboard/show",
        "/dashboard/moderation",
        "/dashboard/account",
    ):
        parser = Scripts()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.problems == [], path


# Rate limits count an IPv6 subscriber's /64 as one listener.


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "2 per minute"}],
)
def test_the_comment_limit_counts_an_ipv6_64_as_one(client, csrf, episode):
    token = csrf("/episodes/talk")

    def post(address):
        return client.post(
            "/api/episodes/talk/comments",
            json={"author": "Lee", "body": "Hello"},
            headers={"X-CSRFToken": token},
            environ_base={"REMOTE_ADDR": address},
        )

    assert post("2001:db8:1:2::1").status_code == 201
    assert post("2001:db8:1:2:ffff::9").status_code == 201
    refused = post("2001:db8:1:2:abcd:1234:5678:9abc")
    assert refused.status_code == 429
    assert refused.headers.get("Retry-After")
    assert post("2001:db8:1:3::1").status_code == 201, "another /64 is someone else"
    assert post("192.0.2.7").status_code == 201


@pytest.mark.parametrize(
    "config_overrides",
    [
        {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_COMMENTS": "1 per minute",
            "PROXY_COUNT": 1,
        }
    ],
)
def test_behind_a_proxy_listeners_are_told_apart_by_forwarded_for(
    client, csrf, episode
):
    token = csrf("/episodes/talk")

    def post(forwarded_for):
        return client.post(
            "/api/episodes/talk/comments",
            json={"author": "Lee", "body": "Hello"},
            headers={"X-CSRFToken": token, "X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )

    assert post("198.51.100.1").status_code == 201
    assert post("198.51.100.2").status_code == 201
    assert post("198.51.100.1").status_code == 429


@pytest.mark.parametrize("config_overrides", [{"TRUSTED_HOSTS": ["pod.example.org"]}])
def test_requests_for_an_untrusted_host_are_refused(client, episode):
    """With TRUSTED_HOSTS, a forged Host header never reaches a view or a URL."""
    forged = client.get("/feed.xml", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.get_data(as_text=True)
    good = client.get("/feed.xml", base_url="https://pod.example.org")
    assert good.status_code == 200
    assert "https://pod.example.org/episodes/talk" in good.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"BASE_URL": "https://pod.example.org"}])
def test_with_a_base_url_the_host_header_decides_no_url(client, episode):
    for path in ("/feed.xml", "/api/episodes", "/episodes/talk/comments.xml"):
        body = client.get(path, headers={"Host": "evil.example"}).get_data(as_text=True)
        assert "evil.example" not in body, path
        assert "https://pod.example.org/" in body, path


@pytest.mark.parametrize("parent", ["9223372036854775808", "9" * 40, "0", "-5"])
def test_a_reply_to_an_impossible_comment_id_is_a_clear_error(
    client, csrf, episode, parent
):
    token = csrf("/episodes/talk")
    form = client.post(
        "/episodes/talk/comments",
        data={"csrf_token": token, "author": "Lee", "body": "Hi", "parent_id": parent},
    )
    assert form.status_code == 400
    assert "There is no such comment" in form.get_data(as_text=True)
    api = client.post(
        "/api/episodes/talk/comments",
        json={"author": "Lee", "body": "Hi", "parent_id": int(parent)},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code in (400, 404)
    assert api.get_json()["fields"]["parent_id"]
    assert _comment_count() == 0


def test_bulk_actions_on_impossible_ids_are_a_clear_error(app, client, auth, episode):
    auth.login()
    comment = make_comment(episode)
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    response = client.post(
        "/dashboard/comments/bulk",
        data={
            "csrf_token": token,
            "action": "hide",
            "ids": [str(comment.id), "9223372036854775808"],
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Some of those comments do not exist." in response.get_data(as_text=True)
    comment = reload(comment)
    assert comment.status == "published"


@pytest.mark.parametrize("body", ["[1]", "[]", '"text"', "3", "null", "[{}]"])
def test_json_that_is_not_an_object_is_a_clear_400_on_form_routes(
    app, client, auth, csrf, episode, body
):
    """Forms read a JSON body as their fields; only an object has fields."""
    comment = make_comment(episode)
    token = csrf("/episodes/talk")
    public = client.post(
        "/episodes/talk/comments",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert public.status_code == 400
    auth.login()
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    for path in (
        f"/dashboard/comments/{comment.id}/reply",
        f"/dashboard/comments/{comment.id}/no-reply-needed",
        "/login",
    ):
        response = client.post(
            path,
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        assert response.status_code == 400, path
        assert "JSON object" in response.get_json()["error"], path
    assert _comment_count() == 1
