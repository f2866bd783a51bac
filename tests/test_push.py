"""WebSub: the feed links its hub, and the hub hears of every change of the feed.

A local HTTP server (http.server in a thread) plays the hub.
"""

import threading
import time
import urllib.parse
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest
import sqlalchemy as sa

from podcast_hub import create_app
from podcast_hub.config import ConfigError
from podcast_hub.feeds import push
from podcast_hub.models import WebSubPing

from .helpers import at_once, in_app, make_episode, make_show, writes_meet

WAIT_S = 10


class Hub:
    """A WebSub hub on 127.0.0.1: records each ping; can be down, or slow."""

    def __init__(self):
        self.pings = []  # (form fields, Content-Type) of each POST
        self.refused = 0
        self.down = False
        self.hold = threading.Event()
        self.hold.set()
        self._seen = threading.Condition()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hub.hold.wait(WAIT_S)
                with hub._seen:
                    if hub.down:
                        hub.refused += 1
                        self.send_response(503)
                    else:
                        form = urllib.parse.parse_qs(body.decode())
                        hub.pings.append((form, self.headers["Content-Type"]))
                        self.send_response(204)
                    self.end_headers()
                    hub._seen.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, pings=None, refused=None):
        """Wait until the hub has taken `pings` pings (or refused `refused`)."""
        with self._seen:
            done = self._seen.wait_for(
                lambda: (
                    (pings is None or len(self.pings) >= pings)
                    and (refused is None or self.refused >= refused)
                ),
                timeout=WAIT_S,
            )
        assert done, (self.pings, self.refused)

    def close(self):
        self.hold.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for_rounds(pusher, rounds):
    """Wait until `pusher` has ended `rounds` rounds."""
    deadline = time.monotonic() + WAIT_S
    while pusher.rounds < rounds and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pusher.rounds >= rounds


@pytest.fixture
def hub():
    hub = Hub()
    yield hub
    hub.close()


@pytest.fixture
def config_overrides(hub):
    return {"WEBSUB_HUB": hub.url, "WEBSUB_RETRY_S": 0.05}


@pytest.fixture(autouse=True)
def _pusher_stopped(app):
    """Stop the app's background pusher before the app's database goes."""
    yield
    push.pusher(app).stop()


def publish_form(feed_url):
    return {"hub.mode": ["publish"], "hub.url": [feed_url]}


def test_the_feed_links_its_hub(client, hub):
    make_show()
    parsed = feedparser.parse(client.get("/feed.xml").data)
    rels = {link.rel: link.href for link in parsed.feed.links}
    assert rels["hub"] == hub.url
    assert rels["self"] == "http://localhost/feed.xml"


@pytest.mark.parametrize("config_overrides", [{}])
def test_without_a_hub_the_feed_links_none_and_nothing_is_stored(client, auth, csrf):
    make_show()
    episode = make_episode(published_at=None)
    auth.login()
    client.post(
        f"/dashboard/episodes/{episode.id}/publish",
        data={"csrf_token": csrf("/dashboard")},
    )
    assert b'rel="hub"' not in client.get("/feed.xml").data
    with in_app() as session:
        assert session.scalars(sa.select(WebSubPing)).all() == []


@pytest.mark.parametrize("value", ["ftp://hub.example.org", "hub.example.org"])
def test_a_hub_that_is_no_web_address_is_refused_at_start(value, tmp_path):
    with pytest.raises(ConfigError, match="WEBSUB_HUB"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "WEBSUB_HUB": value})


def test_a_dashboard_change_pings_the_hub_without_waiting_for_it(
    client, auth, csrf, hub
):
    make_show()
    episode = make_episode(published_at=None)
    auth.login()
    hub.wait_for(pings=1)  # the first look announces the feed as it is
    hub.hold.clear()  # the hub now takes its time answering
    started = time.monotonic()
    response = client.post(
        f"/dashboard/episodes/{episode.id}/publish",
        data={"csrf_token": csrf("/dashboard")},
    )
    assert response.status_code == 303
    assert time.monotonic() - started < 2
    assert len(hub.pings) == 1  # the response came back before the hub answered
    hub.hold.set()
    hub.wait_for(pings=2)
    form, content_type = hub.pings[-1]
    assert form == publish_form("http://localhost/feed.xml")
    assert content_type == "application/x-www-form-urlencoded"


def test_a_change_that_leaves_the_feed_alone_pings_nothing(client, auth, hub):
    make_show()
    auth.login()
    hub.wait_for(pings=1)
    pusher = push.pusher(client.application)
    rounds = pusher.rounds
    # Logging out changes nothing in the feed.
    auth.logout()
    wait_for_rounds(pusher, rounds + 1)
    assert len(hub.pings) == 1


def test_a_hub_that_is_down_is_tried_again_until_it_is_up(client, auth, csrf, hub):
    make_show()
    episode = make_episode(published_at=None)
    hub.down = True
    auth.login()
    client.post(
        f"/dashboard/episodes/{episode.id}/publish",
        data={"csrf_token": csrf("/dashboard")},
    )
    hub.wait_for(refused=3)
    ping = stored_ping_when(lambda ping: ping.attempts >= 2)
    assert ping.last_error == "the hub answered 503" and ping.due_at is not None
    hub.down = False
    hub.wait_for(pings=1)
    assert hub.pings[0][0] == publish_form("http://localhost/feed.xml")
    ping = stored_ping_when(lambda ping: ping.due_at is None)
    assert (ping.attempts, ping.last_error) == (0, None)
    assert ping.sent_at is not None


def stored_ping_when(ready):
    """Return the one stored ping once `ready(ping)` holds (the thread writes it)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        with in_app() as session:
            [ping] = session.scalars(sa.select(WebSubPing)).all()
        if ready(ping) or time.monotonic() > deadline:
            assert ready(ping), ping
            return ping
        time.sleep(0.01)


def test_the_first_request_after_a_scheduled_episode_goes_live_pings(
    client, hub, clock
):
    make_show()
    make_episode(slug="soon", published_at=clock.now + timedelta(minutes=5))
    client.get("/")
    hub.wait_for(pings=1)
    # The round that pinged learns when "soon" goes live once its ping is sent:
    # moving the clock before it has would leave it asleep for five real minutes.
    wait_for_rounds(push.pusher(client.application), 1)
    client.get("/")
    clock.advance(minutes=5, seconds=1)
    client.get("/episodes/soon")
    hub.wait_for(pings=2)
    assert b"/episodes/soon" in client.get("/feed.xml").data


@pytest.fixture
def cli_hub(hub):
    return {
        "WEBSUB_HUB": hub.url,
        "BASE_URL": "https://podcast.example.org",
        "WEBSUB_RETRY_S": 30,
    }


@pytest.fixture
def runner_with_base(app, cli_hub):
    app.config.update(cli_hub)
    return app.test_cli_runner()


def test_hub_tick_pings_when_a_scheduled_episode_went_live(
    runner_with_base, hub, clock
):
    make_show()
    make_episode(slug="soon", published_at=clock.now + timedelta(hours=1))
    feed = "https://podcast.example.org/feed.xml"

    first = runner_with_base.invoke(args=["hub", "tick"])
    assert first.exit_code == 0, first.output
    assert f"told {hub.url} that {feed} changed" in first.output
    again = runner_with_base.invoke(args=["hub", "tick"])
    assert again.output == ""
    clock.advance(hours=1, seconds=1)
    live = runner_with_base.invoke(args=["hub", "tick"])
    assert f"that {feed} changed" in live.output
    assert [form for form, _ in hub.pings] == [publish_form(feed)] * 2


def test_two_processes_announcing_a_change_at_once_ping_the_hub_once(
    app, runner_with_base, hub, clock
):
    """Two web processes' pushers (or one and `hub tick`) find no ping row for
    the hub and the feed at the same time: both go on, one row is made, and the
    hub hears of the change once."""
    make_show()
    make_episode(slug="out")
    feed = "https://podcast.example.org/feed.xml"

    def announce():
        with app.app_context():
            return push.announce(hub.url, feed, clock.now)

    with writes_meet(app, "web_sub_ping"):
        announced = at_once(announce, announce)
    assert sorted(announced) == [False, True]
    with in_app() as session:
        assert session.scalar(sa.select(sa.func.count(WebSubPing.id))) == 1
    told = runner_with_base.invoke(args=["hub", "tick"])
    assert told.exit_code == 0, told.output
    assert [form for form, _ in hub.pings] == [publish_form(feed)]


def test_hub_tick_waits_longer_after_each_failure(runner_with_base, hub, clock):
    make_show()
    hub.down = True
    failed = runner_with_base.invoke(args=["hub", "tick"])
    assert failed.exit_code == 0
    assert "the hub answered 503; tried again by `flask hub tick`" in failed.output
    assert hub.refused == 1
    runner_with_base.invoke(args=["hub", "tick"])
    assert hub.refused == 1  # not due yet
    clock.advance(seconds=31)
    runner_with_base.invoke(args=["hub", "tick"])
    assert hub.refused == 2
    clock.advance(seconds=31)
    runner_with_base.invoke(args=["hub", "tick"])
    assert hub.refused == 2  # the second wait is a minute
    hub.down = False
    clock.advance(seconds=30)
    done = runner_with_base.invoke(args=["hub", "tick"])
    assert "changed" in done.output
    assert len(hub.pings) == 1


def test_hub_tick_with_the_hub_unreachable_says_so(app, runner_with_base, hub):
    make_show()
    hub.close()
    result = runner_with_base.invoke(args=["hub", "tick"])
    assert result.exit_code == 0
    assert "the hub cannot be reached" in result.output


def test_hub_import_pings_the_hub(runner_with_base, hub, media_dir, audio_file):
    (media_dir / "show.toml").write_text('title = "Pinged"\n', "utf-8")
    audio_file("speech.mp3", "talk.mp3")
    result = runner_with_base.invoke(args=["hub", "import"])
    assert result.exit_code == 0, result.output
    assert "told" in result.output
    assert hub.pings[0][0] == publish_form("https://podcast.example.org/feed.xml")
    # Nothing changed: nothing more to tell.
    runner_with_base.invoke(args=["hub", "import"])
    assert len(hub.pings) == 1


def test_hub_tick_without_a_base_url_reuses_the_address_a_request_saw(app, client, hub):
    make_show()
    client.get("/feed.xml")
    hub.wait_for(pings=1)
    push.pusher(app).stop()
    make_episode()
    result = app.test_cli_runner().invoke(args=["hub", "tick"])
    assert "that http://localhost/feed.xml changed" in result.output


@pytest.mark.parametrize("config_overrides", [{}])
def test_hub_tick_without_a_hub_says_there_is_nothing_to_do(runner):
    result = runner.invoke(args=["hub", "tick"])
    assert result.exit_code == 0
    assert "No WebSub hub is set" in result.output


def test_setting_a_hub_changes_the_feeds_etag(app, client, hub):
    """Apps holding the feed without the hub's link fetch it again."""
    make_show()
    with_hub = client.get("/feed.xml").headers["ETag"]
    app.config["WEBSUB_HUB"] = None
    without = client.get("/feed.xml", headers={"If-None-Match": with_hub})
    assert without.status_code == 200
    assert b'rel="hub"' not in without.data
