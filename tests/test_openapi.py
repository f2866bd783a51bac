"""The JSON API keeps to its OpenAPI document.

Schemathesis reads the document the app serves at `/api/openapi.json` and sends
every operation of a live app generated requests, valid and invalid, as a
stranger, a listener who posted comments and a logged-in host: no answer may be
a 5xx, and every answer must have a documented status, content type and shape.
"""

import json
import re
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from podcast_hub.api import openapi

from .conftest import csrf_from
from .helpers import make_chapter, make_comment, make_episode, make_host, make_show

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
HOST_EMAIL = "dana@example.com"
HOST_PASSWORD = "a lighthouse keeper's long night"
VISITORS = ("stranger", "listener", "host")
# Flask adds these to every GET rule; the document leaves them implicit.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def world(app):
    """Seed a show, a host, published and unreleased episodes, and threads."""
    make_show()
    host = make_host(
        email=HOST_EMAIL, display_name="Dana Reyes", password=HOST_PASSWORD
    )
    now = datetime.now(UTC)
    lighthouse = make_episode(slug="lighthouse", duration_s=3600)
    make_chapter(lighthouse, start_s=0, title="Intro")
    make_chapter(lighthouse, start_s=600, title="Keeper", url="https://example.org/k")
    quiet = make_episode(slug="quiet", duration_s=120)
    make_episode(slug="scheduled", published_at=now + timedelta(days=7))
    make_episode(slug="draft", published_at=None)
    top = make_comment(lighthouse, timestamp_s=754, body="The storm at 12:34!")
    reply = make_comment(lighthouse, parent_id=top.id, author="Nia", timestamp_s=None)
    make_comment(
        lighthouse,
        parent_id=reply.id,
        author=host.display_name,
        email=None,
        is_host=True,
        host_id=host.id,
        body="Thanks, Nia.",
    )
    make_comment(lighthouse, timestamp_s=None, author="Sam", body="General words.")
    make_comment(lighthouse, status="pending", author="Held", body="Wait for me.")
    make_comment(lighthouse, status="hidden", author="Gone", body="Hidden.")
    make_comment(quiet, timestamp_s=60, pinned=True, author="Pat", body="Pinned.")
    return {
        # Published episodes come up most often; unreleased ones must stay 404.
        "slugs": ["lighthouse", "lighthouse", "quiet", "scheduled", "draft"],
        "comment_ids": [1, 2, 3, 4, 5, 6, 7],
    }


def _page_token(session, base, path="/"):
    response = session.get(f"{base}{path}", timeout=10)
    response.raise_for_status()
    return csrf_from(response.text)


@pytest.fixture
def visitors(live_server, world):
    """Return {name: (requests session, headers)} for each kind of visitor.

    The listener has posted a comment and a reply through the API, and holds
    their `own_comments` cookie; the host has logged in through the form.
    """
    listener = requests.Session()
    token = _page_token(listener, live_server, "/episodes/lighthouse")
    listener_headers = {openapi.CSRF_HEADER: token}
    own = []
    for parent_id in (None, None, 1):
        posted = listener.post(
            f"{live_server}/api/episodes/lighthouse/comments",
            json={"author": "Lee", "body": "Mine.", "parent_id": parent_id},
            headers=listener_headers,
            timeout=10,
        )
        assert posted.status_code == 201, posted.text
        own.append(posted.json()["id"])
    # The listener's own comments come up as often as all the others.
    world["comment_ids"] += own * 2

    host = requests.Session()
    login = host.post(
        f"{live_server}/login",
        data={
            "email": HOST_EMAIL,
            "password": HOST_PASSWORD,
            "csrf_token": _page_token(host, live_server, "/login"),
        },
        timeout=10,
    )
    assert login.ok and "/dashboard" in login.url, login.status_code
    host_headers = {openapi.CSRF_HEADER: _page_token(host, live_server)}
    return {
        "stranger": (requests.Session(), {}),
        "listener": (listener, listener_headers),
        "host": (host, host_headers),
    }


# The document the app serves at /api/openapi.json (checked below to be the same).
schema = schemathesis.openapi.from_dict(openapi.document())


def _choice(case, salt, options):
    """Return one of `options`, chosen by the case's contents: reproducible."""
    body = None if isinstance(case.body, NotSet) else case.body
    seen = repr((salt, case.path_parameters, case.query, body))
    return options[zlib.crc32(seen.encode("utf-8", "surrogatepass")) % len(options)]


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    # One app per operation, shared by its examples: they build on each other.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_keeps_to_its_document(case, live_server, visitors, world):
    """Every request, valid or not, gets a documented answer and never a 5xx."""
    params = case.path_parameters or {}
    # Most cases name what exists, so that success answers are checked too.
    if "slug" in params and _choice(case, "known", (True, True, False)):
        params["slug"] = _choice(case, "slug", world["slugs"])
    if "comment_id" in params and _choice(case, "known", (True, True, False)):
        params["comment_id"] = _choice(case, "id", world["comment_ids"])
    name = _choice(case, "visitor", VISITORS)
    session, headers = visitors[name]
    if name != "stranger":
        # A real visitor sends their own cookies and token, not generated ones.
        case.headers = {
            k: v for k, v in (case.headers or {}).items() if k != openapi.CSRF_HEADER
        }
        case.cookies = {}
    case.call_and_validate(
        base_url=live_server,
        session=session,
        headers=headers,
        checks=CHECKS,
        timeout=10,
    )


WORDS = {"author": "Lee", "body": "At 12:34!", "timestamp": "12:34"}
EDIT = {"body": "At 12:35!", "timestamp": 755}
HIDE = {"action": "hide"}
TOO_BIG = {"author": "Lee", "body": "x" * 70_000}
TALK = "/api/episodes/lighthouse/comments"
MINE = "/api/comments/{own}"
NONE = f"/api/comments/{openapi.MAX_ID}"
SAM = "/api/comments/4"
# Who asks what, and the answer the document promises: in an order that reaches
# every documented status of every operation (but 429, below) at least once.
ANSWERS = [
    ("stranger", "GET /api/episodes", 200, {}),
    ("stranger", "GET /api/episodes/lighthouse", 200, {}),
    ("stranger", "GET /api/episodes/scheduled", 404, {}),
    ("stranger", f"GET {TALK}", 200, {}),
    ("stranger", f"GET {TALK}?page=1&sort=newest&host=1", 200, {}),
    ("stranger", f"GET {TALK}?page=1&sort=x", 400, {}),
    ("stranger", "GET /api/episodes/draft/comments", 404, {}),
    ("stranger", "GET /api/episodes/lighthouse/moments", 200, {}),
    ("stranger", "GET /api/episodes/draft/moments", 404, {}),
    ("listener", f"POST {TALK}", 201, {"json": WORDS}),
    ("host", f"POST {TALK}", 201, {"json": {"body": "Me too.", "parent_id": 1}}),
    ("stranger", f"POST {TALK}", 403, {"json": WORDS}),
    ("listener", f"POST {TALK}", 400, {"json": {"body": 5}}),
    ("listener", f"POST {TALK}", 400, {"json": [WORDS]}),
    ("listener", f"POST {TALK}", 404, {"json": {**WORDS, "parent_id": 99}}),
    ("listener", "POST /api/episodes/scheduled/comments", 404, {"json": WORDS}),
    ("listener", f"POST {TALK}", 413, {"json": TOO_BIG}),
    ("listener", f"GET {MINE}", 200, {}),
    ("stranger", "GET /api/comments/6", 404, {}),
    ("stranger", f"GET {NONE}", 404, {}),
    ("listener", f"PATCH {MINE}", 200, {"json": EDIT}),
    ("listener", f"PATCH {MINE}", 400, {"json": {"body": 1}}),
    ("listener", "PATCH /api/comments/1", 403, {"json": EDIT}),
    ("stranger", f"PATCH {MINE}", 403, {"json": EDIT}),
    ("listener", "PATCH /api/comments/6", 404, {"json": EDIT}),
    ("listener", f"PATCH {MINE}", 413, {"json": TOO_BIG}),
    ("listener", "DELETE /api/comments/1", 403, {}),
    ("listener", f"DELETE {MINE}", 204, {}),
    ("listener", f"DELETE {MINE}", 404, {}),
    ("host", f"POST {SAM}/moderation", 200, {"json": HIDE}),
    ("host", f"POST {SAM}/moderation", 400, {"json": {"action": "x"}}),
    ("host", f"POST {NONE}/moderation", 404, {"json": HIDE}),
    ("host", f"POST {SAM}/moderation", 413, {"json": TOO_BIG}),
    ("listener", f"POST {SAM}/moderation", 401, {"json": HIDE}),
    ("stranger", f"POST {SAM}/moderation", 403, {"json": HIDE}),
]


def _template(path):
    """Return the document's path template that `path` fills in."""
    path = path.split("?")[0]
    for template in openapi.document()["paths"]:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path):
            return template
    raise AssertionError(f"{path} is not in the document")


def assert_documented(response, status):
    """Assert `response` has `status`, that it is documented, and its shape."""
    method = response.request.method
    template = _template(urlsplit(response.request.url).path)
    assert response.status_code == status, response.text
    documented = openapi.document()["paths"][template][method.lower()]["responses"]
    assert str(status) in documented
    if "content" in documented[str(status)]:
        assert response.headers["Content-Type"] == "application/json"
    schema[template][method].validate_response(response)


def test_every_documented_answer_is_given_in_its_documented_shape(
    live_server, visitors, world
):
    own = world["comment_ids"][-1]
    for name, request, status, kwargs in ANSWERS:
        session, headers = visitors[name]
        method, path = request.format(own=own).split(" ")
        response = session.request(
            method, live_server + path, headers=headers, timeout=10, **kwargs
        )
        assert_documented(response, status)


def test_unchanged_moments_are_a_documented_304(live_server, world):
    url = f"{live_server}/api/episodes/lighthouse/moments"
    first = requests.get(url, timeout=10)
    again = requests.get(
        url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10
    )
    assert_documented(again, 304)


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_COMMENTS": "1 per minute"}],
)
def test_too_many_comments_get_the_documented_429(client, csrf):
    make_show()
    make_episode(slug="lighthouse")
    headers = {openapi.CSRF_HEADER: csrf("/episodes/lighthouse")}
    words = {"author": "Lee", "body": "Again!"}
    path = "/api/episodes/lighthouse/comments"
    assert client.post(path, json=words, headers=headers).status_code == 201
    refused = client.post(path, json=words, headers=headers)
    assert_documented(refused, 429)


def test_the_served_document_is_the_one_checked_and_caches_kept(live_server, world):
    url = f"{live_server}/api/openapi.json"
    loaded = schemathesis.openapi.from_url(url)
    loaded.validate()
    assert loaded.raw_schema == json.loads(json.dumps(openapi.document()))
    response = requests.get(url, timeout=10)
    assert "public" in response.headers["Cache-Control"]
    assert "max-age" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()
    again = requests.get(
        url, headers={"If-None-Match": response.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304


def test_every_api_route_is_documented_and_every_operation_is_a_route(app, client):
    served = client.get("/api/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, item in served["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - IMPLICIT_METHODS
    }
    assert documented == routed
