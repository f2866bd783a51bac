"""The show page, episode pages, the episode API and the health check."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from .helpers import in_app, make_chapter, make_comment, make_episode, make_show


@pytest.fixture
def show(app):
    return make_show(title="Moments", description="About <moments>.")


def test_home_lists_published_episodes_newest_first(client, show):
    now = datetime.now(UTC)
    older = make_episode(title="Older", published_at=now - timedelta(days=9))
    newer = make_episode(title="Newer", published_at=now - timedelta(days=1))
    make_episode(title="Next week", published_at=now + timedelta(days=7))
    make_comment(newer)
    html = client.get("/").get_data(as_text=True)
    assert html.index("Newer") < html.index("Older")
    assert "Next week" not in html
    assert "About &lt;moments&gt;." in html
    assert "/feed.xml" in html
    assert "1 comment" in html
    assert older.slug in html


def test_episode_page_has_player_notes_form_and_csrf_meta(client, show):
    episode = make_episode(slug="ep", audio_file="ep.mp3", description="Notes & more")
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert len(re.findall(r'<audio id="player"', html)) == 1
    assert 'src="/media/ep.mp3"' in html
    assert "Notes &amp; more" in html
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    for name in ("author", "email", "body", "timestamp", "csrf_token"):
        assert f'name="{name}"' in html
    assert episode.title in html


@pytest.mark.parametrize(
    ("query", "start"), [("754", 754), ("12:34", 754), ("0:12:34", 754)]
)
def test_t_starts_the_player_there(client, show, query, start):
    make_episode(slug="ep", audio_file="ep.mp3", duration_s=1800)
    html = client.get(f"/episodes/ep?t={query}").get_data(as_text=True)
    assert f'src="/media/ep.mp3#t={start}"' in html
    assert f'data-start="{start}"' in html


@pytest.mark.parametrize("query", ["junk", "99999", "-3"])
def test_bad_t_is_ignored(client, show, query):
    make_episode(slug="ep", audio_file="ep.mp3", duration_s=1800)
    response = client.get(f"/episodes/ep?t={query}")
    assert response.status_code == 200
    assert "data-start" not in response.get_data(as_text=True)


def test_unknown_episode_is_a_404_page(client, show):
    response = client.get("/episodes/missing")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_api_lists_published_episodes_with_absolute_urls(client, show):
    episode = make_episode(slug="ep", audio_file="sub/ep one.mp3", duration_s=61)
    make_episode(slug="later", published_at=datetime.now(UTC) + timedelta(hours=1))
    make_comment(episode)
    make_comment(episode, status="hidden")
    data = client.get("/api/episodes").get_json()
    assert [e["slug"] for e in data] == ["ep"]
    [item] = data
    assert set(item) == {
        "slug",
        "title",
        "published_at",
        "duration",
        "audio_url",
        "page_url",
        "comment_count",
    }
    assert item["duration"] == 61
    assert item["audio_url"] == "http://localhost/media/sub/ep%20one.mp3"
    assert item["page_url"] == "http://localhost/episodes/ep"
    assert item["comment_count"] == 1
    assert item["published_at"].endswith("Z")


@pytest.mark.parametrize("config_overrides", [{"BASE_URL": "https://pod.example.org"}])
def test_api_urls_use_base_url(client, show):
    make_episode(slug="ep", audio_file="ep.mp3")
    [item] = client.get("/api/episodes").get_json()
    assert item["audio_url"] == "https://pod.example.org/media/ep.mp3"
    assert item["page_url"] == "https://pod.example.org/episodes/ep"


def test_api_episode_detail(client, show):
    episode = make_episode(slug="ep", description="Line <1>\n\nLine 2")
    data = client.get("/api/episodes/ep").get_json()
    # Show notes are Markdown, sanitised (see test_notes.py).
    assert data["description_html"] == "<p>Line &lt;1&gt;</p>\n<p>Line 2</p>"
    assert data["chapters"] == []
    make_chapter(episode, start_s=90, title="Storm")
    make_chapter(episode, start_s=0, title="Intro", url="https://x.test/")
    data = client.get("/api/episodes/ep").get_json()
    assert data["chapters"] == [
        {"start": 0, "title": "Intro", "url": "https://x.test/"},
        {"start": 90, "title": "Storm", "url": None},
    ]
    assert data["slug"] == "ep"


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/episodes/missing", 404),
        ("GET", "/api/episodes/missing/comments", 404),
        ("GET", "/api/nothing-here", 404),
        ("DELETE", "/api/episodes", 405),
    ],
)
def test_api_errors_are_json(client, show, method, url, status):
    response = client.open(url, method=method)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(media_dir):
    from podcast_hub import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": "sqlite:////nonexistent-dir/nope/db.sqlite",
            "MEDIA_DIR": str(media_dir),
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


# The episode page as a conversation: timeline, pages of threads, sharing meta,
# escaping and the query budget.


def _bulk_comments(episode, count, replies_every=0):
    """Insert `count` published comments; every nth replies to the latest thread."""
    import sqlalchemy as sa

    from podcast_hub.models import Comment

    start = datetime(2026, 1, 1, tzinfo=UTC)
    root_id = None
    with in_app() as session:
        for n in range(count):
            is_reply = replies_every and root_id and n % replies_every == 0
            row = session.execute(
                sa.insert(Comment).values(
                    episode_id=episode.id,
                    parent_id=root_id if is_reply else None,
                    author=f"Listener {n}",
                    body=f"Comment {n} about 1:00 and https://example.org/{n}",
                    timestamp_s=None if is_reply else (n * 7) % episode.duration_s,
                    status="published",
                    created_at=start + timedelta(seconds=n),
                )
            )
            if not is_reply:
                root_id = row.inserted_primary_key[0]
        session.commit()


def test_episode_page_queries_do_not_grow_with_the_conversation(
    client, show, count_queries
):
    small = make_episode(slug="small", duration_s=3600)
    big = make_episode(slug="big", duration_s=3600)
    _bulk_comments(small, 10, replies_every=3)
    _bulk_comments(big, 2000, replies_every=3)
    counts = []
    for slug in ("small", "big"):
        client.get(f"/episodes/{slug}")  # warm up: session, CSRF token
        with count_queries() as counted:
            response = client.get(f"/episodes/{slug}")
        assert response.status_code == 200
        counts.append(len(counted))
    assert counts[0] == counts[1]
    assert counts[0] <= 10, counts


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PER_PAGE": 3}])
def test_threads_are_paginated_and_links_work_without_javascript(client, show):
    episode = make_episode(slug="ep", duration_s=3600)
    roots = [
        make_comment(episode, timestamp_s=60 * n, body=f"Root {n}") for n in range(7)
    ]
    reply = make_comment(
        episode, parent_id=roots[5].id, body="Deep down", timestamp_s=None
    )
    first = client.get("/episodes/ep").get_data(as_text=True)
    assert "Root 2" in first and "Root 3" not in first
    assert "Page 1 of 3" in first
    assert 'href="/episodes/ep?page=2#conversation"' in first
    second = client.get("/episodes/ep?page=2").get_data(as_text=True)
    assert "Root 3" in second and "Root 2" not in second
    landed = client.get(f"/episodes/ep?comment={reply.id}").get_data(as_text=True)
    assert f'id="comment-{reply.id}"' in landed and "Page 2 of 3" in landed
    newest = client.get("/episodes/ep?sort=newest").get_data(as_text=True)
    assert "Root 6" in newest and "Root 0" not in newest
    fragment = client.get("/episodes/ep/conversation?page=3")
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Root 6" in fragment.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PER_PAGE": 2}])
def test_after_posting_without_javascript_the_new_comments_page_is_shown(client, show):
    from .conftest import csrf_from

    episode = make_episode(slug="ep", duration_s=3600)
    for n in range(5):
        make_comment(episode, timestamp_s=n)
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    response = client.post(
        "/episodes/ep/comments",
        data={
            "author": "Late",
            "body": "At the end",
            "timestamp": "59:00",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"].endswith("/episodes/ep#comment-6")
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert 'id="comment-6"' in html and "Page 3 of 3" in html
    assert "Page 1 of 3" in client.get("/episodes/ep").get_data(as_text=True)


def test_host_replies_only_filter_and_thread_marks(client, show):
    episode = make_episode(slug="ep", duration_s=3600)
    asked = make_comment(episode, author="Jules", body="Question?")
    answer = make_comment(
        episode, parent_id=asked.id, author="Hannah Host", is_host=True, body="Answer."
    )
    make_comment(episode, parent_id=answer.id, author="Sam", body="Thanks")
    make_comment(episode, author="Amara", body="Nobody answered me")
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert "Answered by <bdi>Hannah Host</bdi>" in html
    assert "2 replies" in html
    assert 'data-host="true"' in html and ">Host</span>" in html
    filtered = client.get("/episodes/ep?host=1").get_data(as_text=True)
    assert "Question?" in filtered and "Nobody answered me" not in filtered


def test_timeline_markers_are_server_drawn_links(client, show):
    episode = make_episode(slug="ep", duration_s=600)
    first = make_comment(episode, timestamp_s=30)
    make_comment(episode, timestamp_s=31)
    make_comment(episode, timestamp_s=300)
    make_chapter(episode, start_s=120, title="The storm")
    html = client.get("/episodes/ep").get_data(as_text=True)
    timeline = html[html.index('id="timeline"') : html.index('id="timeline-help"')]
    markers = re.findall(
        r'<a class="marker" href="([^"]+)"\s+data-seek="(\d+)"', timeline
    )
    assert markers == [
        (f"?t=30&amp;comment={first.id}#comment-{first.id}", "30"),
        (f"?t=300&amp;comment={first.id + 2}#comment-{first.id + 2}", "300"),
    ]
    assert 'aria-label="2 comments from 0:30"' in timeline
    segment = re.search(
        r'<span class="chapter-segment" data-start="120" ([^>]*)>', timeline
    )
    assert 'style="--at: 20.0%; --width: 80.0%"' in segment.group(1)
    assert "The storm</span>" in timeline[segment.end() :]
    assert timeline.count('<span style="--heat:') == 40
    chapter = '<a href="?t=120" data-seek="120">2:00</a> <span class="chapter-title">'
    assert chapter + "The storm</span>" in html
    moments = client.get("/api/episodes/ep/moments").get_json()
    assert moments == {
        "episode": "ep",
        "duration": 600,
        "moments": [[30, 1, first.id], [31, 1, first.id + 1], [300, 1, first.id + 2]],
    }


def test_moments_in_comments_and_notes_link_only_within_the_duration(client, show):
    episode = make_episode(
        slug="ep", duration_s=600, description="Listen at 9:59, not at 10:01."
    )
    make_comment(episode, body="From 2:00 to 12:00, see https://example.org/x.")
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert '<a href="?t=599" data-seek="599">9:59</a>' in html
    assert "not at 10:01." in html
    assert '<a href="?t=120" data-seek="120">2:00</a> to 12:00' in html
    assert (
        '<a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a>.'
        in html
    )


def test_open_graph_and_twitter_cards_use_the_episode_art(client, show):
    make_episode(slug="ep", title="The Storm", image="storm.jpg", description="Wind.")
    make_episode(slug="plain", title="Plain", image=None)
    html = client.get("/episodes/ep").get_data(as_text=True)
    for tag in (
        '<meta property="og:title" content="The Storm">',
        '<meta property="og:url" content="http://localhost/episodes/ep">',
        '<meta property="og:image" content="http://localhost/media/storm.jpg">',
        '<meta property="og:description" content="Wind.">',
        '<meta name="twitter:card" content="summary">',
        '<meta name="twitter:image" content="http://localhost/media/storm.jpg">',
        'rel="alternate" type="application/rss+xml"',
    ):
        assert tag in html
    plain = client.get("/episodes/plain").get_data(as_text=True)
    assert (
        '<meta property="og:image" content="http://localhost/media/cover.png">' in plain
    )


def test_closed_episode_shows_no_forms(client, show):
    episode = make_episode(slug="ep", comments_closed=True)
    make_comment(episode)
    html = client.get("/episodes/ep").get_data(as_text=True)
    assert "Comments are closed on this episode." in html
    assert 'id="comment-form"' not in html and "Post reply" not in html


HOSTILE_AUTHORS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "\u202eevil\u202c Lee",
    "javascript:alert(1)",
    "A" * 80,
]
HOSTILE_BODIES = [
    "</p></div></article><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    '<a href="javascript:alert(1)">x</a> javascript:alert(1)',
    'https://example.org/"onmouseover="alert(1) https://e.org/<b>',
    "\u202etxt.exe\u2066 isolate \u2069",
    "{{ config }} {% for %}",
    "W" * 3000,
    "at 0:10<script>alert(1)</script>",
]


def test_hostile_authors_and_bodies_are_escaped_on_the_page(client, show):
    from html.parser import HTMLParser

    episode = make_episode(slug="ep", duration_s=600)
    for author, body in zip(
        HOSTILE_AUTHORS, HOSTILE_BODIES[: len(HOSTILE_AUTHORS)], strict=True
    ):
        make_comment(episode, author=author, body=body)
    for body in HOSTILE_BODIES[len(HOSTILE_AUTHORS) :]:
        make_comment(episode, author="Lee", body=body)
    html = client.get("/episodes/ep").get_data(as_text=True)
    conversation = html[html.index('id="comments"') : html.index('id="announcer"')]

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(conversation)
    allowed = {
        "div",
        "article",
        "header",
        "bdi",
        "span",
        "a",
        "time",
        "p",
        "br",
        "details",
        "summary",
        "form",
        "input",
        "label",
        "textarea",
        "button",
    }
    for tag, attrs in parser.found:
        assert tag in allowed, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "action", "src"):
            assert not (attrs.get(name) or "").lower().startswith("javascript"), attrs
    assert "<script" not in conversation
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in conversation
    assert '<bdi class="author"' in conversation
    assert "\u202eevil\u202c Lee</bdi>" in conversation
    assert "W" * 3000 in conversation
    assert '<a href="?t=10" data-seek="10">0:10</a>&lt;script&gt;' in conversation


def test_links_on_a_form_error_page_reach_the_episode_page(client, show):
    make_episode(slug="ep")
    response = client.get("/episodes/ep/comments?t=30&comment=4")
    assert response.status_code == 302
    assert response.headers["Location"] == "/episodes/ep?t=30&comment=4"


@pytest.mark.parametrize("config_overrides", [{"COMMENTS_PER_PAGE": 2}])
def test_comments_json_in_pages_and_one_comment_fragment(client, show):
    episode = make_episode(slug="ep", duration_s=600)
    roots = [make_comment(episode, timestamp_s=n) for n in range(5)]
    reply = make_comment(episode, parent_id=roots[4].id, timestamp_s=None)
    data = client.get("/api/episodes/ep/comments?page=3").get_json()
    assert (data["page"], data["pages"], data["threads"], data["count"]) == (3, 3, 5, 6)
    assert [c["id"] for c in data["comments"]] == [roots[4].id]
    assert data["comments"][0]["replies"][0]["id"] == reply.id
    assert client.get("/api/episodes/ep/comments?page=1&sort=best").status_code == 400
    assert len(client.get("/api/episodes/ep/comments").get_json()["comments"]) == 5
    fragment = client.get(f"/episodes/ep/conversation/{roots[4].id}")
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<article class="comment comment--level-1"')
    assert f'id="comment-{reply.id}"' in html
    assert client.get("/episodes/ep/conversation/9999").status_code == 404
    one = client.get(f"/api/comments/{reply.id}").get_json()
    assert (one["id"], one["parent_id"], one["replies"]) == (reply.id, roots[4].id, [])


@pytest.mark.parametrize(
    "config_overrides", [{"MEDIA_BASE_URL": "https://cdn.example.org/show"}]
)
def test_player_streams_from_the_media_base_url(client, show):
    make_episode(slug="ep", audio_file="sub/ep one.mp3", duration_s=1800)
    html = client.get("/episodes/ep?t=60").get_data(as_text=True)
    assert 'src="https://cdn.example.org/show/sub/ep%20one.mp3#t=60"' in html


# A thread with thousands of replies: the page shows a few of each thread and
# links to the rest, and holds one reply form that goes under the comment answered.


def _reply_forms(html):
    """Return the forms on a page that post a reply (they carry a parent_id)."""
    forms = re.findall(r"<form\b.*?</form>", html, re.DOTALL)
    return [form for form in forms if 'name="parent_id"' in form]


def _element(html, element_id):
    """Return the HTML of the element with `element_id` up to its first child
    comment: the comment itself, without its replies."""
    start = html.index(f'id="{element_id}"')
    ends = [html.find(mark, start) for mark in ('class="replies"', "</article>")]
    return html[start : min(end for end in ends if end != -1)]


def _counted_get(client, url, count_queries):
    """Return the response to GET `url` and how many SQL statements it ran."""
    with count_queries() as counted:
        response = client.get(url)
    return response, len(counted)


def test_a_5000_reply_thread_keeps_the_episode_page_small_and_its_queries_few(
    client, show, count_queries
):
    from .helpers import make_thread

    small = make_episode(slug="small", duration_s=3600)
    _bulk_comments(small, 10, replies_every=3)
    big = make_episode(slug="big", duration_s=3600)
    _bulk_comments(big, 10, replies_every=3)
    root, ids = make_thread(big, 5000, hosts_at=(4321,), timestamp_s=60)
    client.get("/episodes/small")  # warm up: session, CSRF token
    sizes, counts = {}, {}
    for slug in ("small", "big"):
        url = f"/episodes/{slug}"
        response, counts[slug] = _counted_get(client, url, count_queries)
        sizes[slug] = len(response.data)
    assert counts["big"] == counts["small"]
    assert sizes["big"] < 200_000
    html = response.get_data(as_text=True)
    thread = html[html.index(f'id="comment-{root.id}"') :]
    assert all(f'id="comment-{i}"' in thread for i in ids[:5])
    assert f'id="comment-{ids[5]}"' not in html
    assert "5,000 replies" in thread
    assert "Answered by <bdi>Listener 4321</bdi>" in thread
    assert "4,995 more replies" in thread
    assert len(_reply_forms(html)) == 1


def test_more_replies_open_the_threads_pages_without_javascript(client, show):
    from .helpers import make_thread

    episode = make_episode(slug="ep", duration_s=3600)
    root, ids = make_thread(episode, 120)
    html = client.get("/episodes/ep").get_data(as_text=True)
    [more] = re.findall(r'<p class="more-replies">\s*<a href="([^"]+)"', html)
    assert more == f"/episodes/ep?thread={root.id}&amp;page=1#comment-{root.id}"
    first = client.get(more.replace("&amp;", "&")).get_data(as_text=True)
    assert all(f'id="comment-{i}"' in first for i in ids[:50])
    assert f'id="comment-{ids[50]}"' not in first
    assert "Page 1 of 3" in first and "One thread, 120 replies" in first
    assert len(_reply_forms(first)) == 1
    following = re.search(r'<a rel="next" data-page="2" href="([^"]+)"', first)
    next_page = f"/episodes/ep?page=2&amp;thread={root.id}#conversation"
    assert following.group(1) == next_page
    second = client.get(next_page.replace("&amp;", "&")).get_data(as_text=True)
    assert f'id="comment-{root.id}"' in second
    assert all(f'id="comment-{i}"' in second for i in ids[50:100])
    assert f'id="comment-{ids[49]}"' not in second
    back = f'href="/episodes/ep?comment={root.id}#comment-{root.id}">← All comments'
    assert back in second


def test_more_replies_load_in_place_a_bounded_number_at_a_time(client, show):
    from .helpers import make_thread

    episode = make_episode(slug="ep", duration_s=3600)
    root, ids = make_thread(episode, 5000, branch_every=100)
    html = client.get("/episodes/ep").get_data(as_text=True)
    [url] = re.findall(r'data-more-replies="([^"]+)"', html)
    assert url == f"/episodes/ep/conversation/{root.id}/replies?start=5"
    fragment = client.get(url).get_data(as_text=True)
    assert "<html" not in fragment and len(fragment) < 100_000
    # The first new replies answer reply 1, which comes along to hold them.
    assert fragment.lstrip().startswith('<article class="comment comment--level-2"')
    assert fragment.index(f'id="comment-{ids[0]}"') < fragment.index(
        f'id="comment-{ids[5]}"'
    )
    assert all(f'id="comment-{i}"' in fragment for i in ids[5:55])
    assert f'id="comment-{ids[55]}"' not in fragment
    following = f"/episodes/ep/conversation/{root.id}/replies?start=55"
    assert f'data-more-replies="{following}"' in fragment
    assert "4,945 more replies" in fragment
    assert not _reply_forms(fragment)
    last = client.get(f"/episodes/ep/conversation/{root.id}/replies?start=4990")
    assert f'id="comment-{ids[-1]}"' in last.get_data(as_text=True)
    assert "more-replies" not in last.get_data(as_text=True)
    assert client.get(f"/episodes/ep/conversation/{ids[0]}/replies").status_code == 404


def test_a_link_to_reply_4000_lands_on_the_page_that_shows_it(
    client, show, count_queries
):
    from .helpers import make_thread

    short = make_episode(slug="short", duration_s=3600)
    _, short_ids = make_thread(short, 60)
    episode = make_episode(slug="ep", duration_s=3600)
    for n in range(30):
        make_comment(episode, timestamp_s=n, body=f"Root {n}")
    root, ids = make_thread(episode, 5000)
    target = ids[3999]
    client.get("/episodes/ep")  # warm up: session, CSRF token
    url = f"/episodes/ep?comment={target}"
    response, count = _counted_get(client, url, count_queries)
    html = response.get_data(as_text=True)
    assert f'id="comment-{target}"' in html and "Reply 4000<" in html
    assert html.index(f'id="comment-{root.id}"') < html.index(f'id="comment-{target}"')
    assert len(html) < 200_000 and "Page 80 of 100" in html
    url = f"/episodes/short?comment={short_ids[55]}"
    assert _counted_get(client, url, count_queries)[1] == count
    # The page's script asks for the fragment that holds it, as the timeline does.
    fragment = client.get(f"/episodes/ep/conversation?comment={target}")
    assert f'id="comment-{target}"' in fragment.get_data(as_text=True)
    # The first replies stay on the page of threads.
    early = client.get(f"/episodes/ep?comment={ids[2]}").get_data(as_text=True)
    assert f'id="comment-{ids[2]}"' in early and "Root 29" in early


def test_one_reply_form_per_page_goes_under_the_comment_answered(client, show):
    from .helpers import make_thread

    episode = make_episode(slug="ep", duration_s=3600)
    for n in range(10):
        make_comment(episode, timestamp_s=n)
    root, ids = make_thread(episode, 30)
    html = client.get("/episodes/ep?sort=newest").get_data(as_text=True)
    [form] = _reply_forms(html)
    assert " hidden>" in form[: form.index(">") + 1]
    link = f'href="/episodes/ep?reply={ids[1]}&amp;sort=newest"'
    assert link in _element(html, f"comment-{ids[1]}")
    assert html.count('class="reply-link"') == 11 + 5

    html = client.get(f"/episodes/ep?reply={ids[1]}&sort=newest").get_data(as_text=True)
    [form] = _reply_forms(html)
    assert form in _element(html, f"comment-{ids[1]}")
    assert f'name="parent_id" value="{ids[1]}"' in form
    assert "hidden" not in form[: form.index(">")]
    assert re.search(r'<textarea autofocus[^>]*id="reply-body"', form)
    assert '<option value="newest" selected>' in html

    late = client.get(f"/episodes/ep?reply={ids[20]}").get_data(as_text=True)
    [form] = _reply_forms(late)
    assert form in _element(late, f"comment-{ids[20]}")


def test_a_reply_that_fails_comes_back_under_its_comment_with_what_was_typed(
    client, show
):
    from .conftest import csrf_from
    from .helpers import make_thread

    episode = make_episode(slug="ep", duration_s=3600)
    root, ids = make_thread(episode, 300)
    token = csrf_from(client.get("/episodes/ep").get_data(as_text=True))
    typed = {"author": "", "body": "Kept reply", "csrf_token": token}
    response = client.post(
        "/episodes/ep/comments", data=typed | {"parent_id": ids[250]}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    [form] = _reply_forms(html)
    assert form in _element(html, f"comment-{ids[250]}")
    assert "Kept reply</textarea>" in form and "Tell us your name." in form
    assert re.search(r'<input[^>]*autofocus[^>]*id="reply-author"', form)
    comment_form = html[html.index('id="comment-form"') :]
    assert "Kept reply" not in comment_form[: comment_form.index("</form>")]
    # A reply to a comment that is not on the page comes back at the top, with why.
    typed |= {"author": "Sam", "parent_id": 99999}
    html = client.post("/episodes/ep/comments", data=typed).get_data(as_text=True)
    [form] = _reply_forms(html)
    assert 'id="comment-form"' in form and "There is no such comment" in form


def test_the_json_page_holds_a_few_replies_of_each_thread(client, show):
    from .helpers import make_thread

    episode = make_episode(slug="ep", duration_s=3600)
    root, ids = make_thread(episode, 5000)
    response = client.get("/api/episodes/ep/comments?page=1")
    assert len(response.data) < 20_000
    [thread] = response.get_json()["comments"]
    [first] = thread["replies"]
    assert [first["id"], *[reply["id"] for reply in first["replies"]]] == ids[:5]
    assert thread["reply_count"] == 5000
    one = client.get(f"/api/comments/{root.id}").get_json()
    assert one["reply_count"] == 5000 and len(one["replies"]) == 1


@pytest.mark.parametrize(
    ("template", "count", "words"),
    [
        ('{{ n | plural("comment") }}', 0, "0 comments"),
        ('{{ n | plural("comment") }}', 1, "1 comment"),
        ('{{ n | plural("reply", "replies") }}', 1, "1 reply"),
        ('{{ n | plural("reply", "replies") }}', 1204, "1,204 replies"),
    ],
)
def test_pages_write_a_count_with_the_noun_that_goes_with_it(
    app, template, count, words
):
    assert app.jinja_env.from_string(template).render(n=count) == words
