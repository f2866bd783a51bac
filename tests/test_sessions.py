"""Sessions stay out of what everyone shares: feeds, media, the API's document."""

import pytest

from .helpers import make_chapter, make_episode, make_show


def test_feeds_media_and_the_api_document_are_the_sessionless_views(app):
    sessionless = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "sessionless", False)
    }
    assert sessionless == {
        "feeds.feed_xml",
        # The style sheet that shows the feed as a page in a browser.
        "feeds.feed_xsl",
        "feeds.comments_xml",
        "feeds.chapters_json",
        "public.media",
        # The site's icon is the same for everyone.
        "public.favicon",
        "api.openapi_document",
        # The whole conversation is the same for everyone (a page of it still
        # varies on the ownership cookie: test_listing).
        "api.list_comments",
        # Private feeds: the secret in the address decides, never a cookie.
        "private_feeds.replies_xml",
        "private_feeds.inbox_xml",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/feed.xml",
        "/episodes/ep/comments.xml",
        "/episodes/ep/chapters.json",
        "/api/openapi.json",
        "/favicon.ico",
    ],
)
def test_sessionless_responses_neither_vary_on_nor_set_the_cookie(
    client, auth, media_dir, path
):
    make_show()
    make_chapter(make_episode(slug="ep"))
    auth.login()
    response = client.get(path)
    assert response.status_code == 200
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_pages_still_vary_on_the_cookie(client, app):
    make_show()
    assert "Cookie" in client.get("/").headers["Vary"]


def test_error_page_of_a_sessionless_view_keeps_its_csrf_cookie(client, app):
    """The 404 page carries a CSRF token, so its session is saved as usual."""
    response = client.get("/feed.xml")
    assert response.status_code == 404
    assert "Set-Cookie" in response.headers
    assert "Cookie" in response.headers["Vary"]


def test_a_new_secret_key_keeps_sessions_only_while_the_old_is_a_fallback(
    app, client, auth
):
    """Sessions signed with the key before a rotation still open while that key
    is in SECRET_KEY_FALLBACKS, and no longer once it is dropped (the signers
    derived from each key are kept, never mixed up)."""
    make_show()
    auth.login()
    assert client.get("/dashboard").status_code == 200
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="the key after a rotation", SECRET_KEY_FALLBACKS=[old])
    assert client.get("/dashboard").status_code == 200
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/dashboard").status_code == 302
