"""The spam filter, moderation's default: a first-time commenter's link and what
the scorer flags are held (the obvious goes to spam), a plain comment appears at
once, and the host reads why each one was held."""

import html
import re

import pytest

from podcast_hub.conversation import moderation, spam
from podcast_hub.models import Comment

from .conftest import csrf_from
from .helpers import in_app, make_comment, make_episode, make_show, update


@pytest.fixture
def show(app):
    return make_show()


@pytest.fixture
def episode(show):
    return make_episode(slug="lighthouse", title="The Lighthouse")


def post(browser, body, *, author="Nia", email=None, slug="lighthouse"):
    """Post a comment from `browser` (a test client) through the JSON API."""
    page = browser.get(f"/episodes/{slug}").get_data(as_text=True)
    response = browser.post(
        f"/api/episodes/{slug}/comments",
        json={"author": author, "email": email, "body": body, "timestamp": 30},
        headers={"X-CSRFToken": csrf_from(page)},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def public_ids(client, slug="lighthouse"):
    data = client.get(f"/api/episodes/{slug}/comments").get_json()
    return [node["id"] for node in data["comments"]]


def stored(comment_id):
    with in_app() as session:
        comment = session.get(Comment, comment_id)
        return comment.status, comment.moderation_reason


def test_a_new_show_filters_spam_by_default(app):
    assert make_show().moderation_mode == "filter"


def test_a_plain_first_comment_is_published_at_once(client, episode):
    posted = post(client, "Loved the bit about the keeper's logbook.")
    assert posted["status"] == "published"
    assert posted["id"] in public_ids(client)
    assert stored(posted["id"]) == ("published", None)


def test_a_first_comment_with_a_link_is_held_with_its_reason(app, client, episode):
    posted = post(client, "More on this at https://example.net/lighthouses")
    assert posted["status"] == "pending"
    assert posted["id"] not in public_ids(app.test_client())
    assert stored(posted["id"]) == ("pending", "Held: first comment with a link")
    # A bare domain is a link too.
    other = post(app.test_client(), "See lighthouse-facts.com for more", author="Bo")
    assert stored(other["id"])[1] == "Held: first comment with a link"


def test_a_known_listeners_link_is_published(app, client, episode):
    first = post(client, "Great episode", email="nia@example.com")
    assert first["status"] == "published"
    later = post(
        client, "Sources: https://example.net/keepers", email="nia@example.com"
    )
    assert later["status"] == "published"
    assert later["id"] in public_ids(app.test_client())


def test_a_link_is_published_after_the_host_approved_the_first_comment(
    app, client, episode
):
    held = post(client, "My notes: https://example.net/a", email="kim@example.com")
    assert held["status"] == "pending"
    with in_app() as session:
        moderation.apply(session.get(Comment, held["id"]), "approve")
    later = post(client, "And https://example.net/b", email="kim@example.com")
    assert later["status"] == "published"
    assert stored(later["id"]) == ("published", None)


def test_ten_fast_comments_hold_the_later_ones_and_send_the_last_to_spam(
    app, client, episode, clock
):
    statuses = []
    for n in range(10):
        posted = post(client, f"Comment number {n} about the lamp")
        statuses.append(stored(posted["id"]))
        # The poster never learns which: spam looks held to them.
        assert posted["status"] in ("published", "pending")
        clock.advance(seconds=5)
    assert [s for s, _ in statuses[:4]] == ["published"] * 4
    assert [s for s, _ in statuses[4:8]] == ["pending"] * 4
    assert statuses[4][1] == "Held: 5 comments in 10 minutes"
    assert [s for s, _ in statuses[8:]] == ["spam"] * 2
    assert statuses[9][1] == "Spam: 10 comments in 10 minutes"
    assert len(public_ids(app.test_client())) == 4
    # Ten minutes later the same listener is welcome again.
    clock.advance(minutes=11)
    assert post(client, "Back after a break")["status"] == "published"


def test_the_same_words_on_two_episodes_are_held(app, client, episode):
    make_episode(slug="storm", title="The Storm")
    words = "Best show ever, everyone should subscribe now"
    first = post(client, words, slug="lighthouse")
    assert first["status"] == "published"
    # Another name and browser, the same words on another episode.
    copy = post(app.test_client(), words.upper().lower(), author="Zed", slug="storm")
    assert copy["status"] == "pending"
    assert stored(copy["id"]) == (
        "pending",
        "Held: same words as a comment on another episode",
    )
    assert copy["id"] not in public_ids(app.test_client(), slug="storm")


def test_an_ad_with_a_link_on_three_episodes_goes_to_spam(app, episode):
    make_episode(slug="storm")
    make_episode(slug="fog")
    ad = "Cheap followers for your podcast at https://followers.example.com"
    for slug in ("storm", "fog"):
        post(app.test_client(), ad, author="Promo", slug=slug)
    posted = post(app.test_client(), ad, author="Promo")
    assert posted["status"] == "pending"  # what its poster sees
    status, reason = stored(posted["id"])
    assert status == "spam"
    assert reason == (
        "Spam: first comment with a link; same words as a comment on 2 other episodes"
    )


def test_shouting_in_capitals_is_held(client, episode):
    posted = post(client, "THIS IS THE WORST EPISODE YOU HAVE EVER MADE")
    assert posted["status"] == "pending"
    assert stored(posted["id"]) == ("pending", "Held: written in capitals")
    # A few capitals in a sentence are not shouting.
    plain = post(client, "NASA and the ESA both keep lighthouse data, OK?", author="Al")
    assert plain["status"] == "published"


def test_many_links_are_spam_from_a_stranger_and_held_from_anyone(client, episode):
    body = "http://a.example.com http://b.example.com www.c.example.org"
    stranger = post(client, body, author="Promo")
    assert stranger["status"] == "pending"  # what its poster sees
    assert stored(stranger["id"]) == ("spam", "Spam: first comment with 3 links")
    make_comment(episode, email="nia@example.com")  # a known listener
    known = post(client, body, email="nia@example.com")
    assert stored(known["id"]) == ("pending", "Held: 3 links")


def test_a_blocked_word_goes_to_spam_with_its_reason(client, episode):
    with in_app():
        moderation.add_block_rules("word", "casino")
    posted = post(client, "Try my casino")
    assert posted["status"] == "pending"
    assert stored(posted["id"]) == ("spam", "Spam: blocked address or word")


def test_open_mode_still_publishes_everything_not_blocked(client, show, episode):
    update(show, moderation_mode="open")
    posted = post(client, "LOOK AT https://example.net/ NOW PLEASE EVERYONE")
    assert posted["status"] == "published"
    assert stored(posted["id"]) == ("published", None)


def test_holding_modes_say_why_too(client, show, episode):
    update(show, moderation_mode="hold_all")
    posted = post(client, "Just a thought")
    assert stored(posted["id"]) == (
        "pending",
        "Held: every new comment waits for approval",
    )
    update(show, moderation_mode="hold_first")
    posted = post(client, "Read https://example.net", author="Bo")
    assert stored(posted["id"]) == (
        "pending",
        "Held: first comment from this listener; first comment with a link",
    )


def test_editing_a_link_into_a_published_comment_holds_it_again(client, episode):
    posted = post(client, "Nice episode")
    assert posted["status"] == "published"
    page = client.get("/episodes/lighthouse").get_data(as_text=True)
    response = client.patch(
        f"/api/comments/{posted['id']}",
        json={"body": "Nice episode, buy at https://shop.example.com", "timestamp": 30},
        headers={"X-CSRFToken": csrf_from(page)},
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "pending"
    assert stored(posted["id"]) == (
        "pending",
        "Held: a link; edited after it was published",
    )


def test_the_host_sees_why_each_comment_was_held(client, auth, app, episode):
    post(app.test_client(), "Details at https://example.net/x", author="Nia")
    post(app.test_client(), "Try my casino now", author="Bo")
    with in_app():
        moderation.add_block_rules("word", "casino")
    post(app.test_client(), "Try my casino again", author="Bo")
    auth.login()
    held = html.unescape(client.get("/dashboard?tab=moderation").get_data(as_text=True))
    assert "Held: first comment with a link" in held
    spam_tab = html.unescape(client.get("/dashboard?tab=spam").get_data(as_text=True))
    assert "Spam: blocked address or word" in spam_tab
    settings = client.get("/dashboard/moderation").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="filter"', settings)


def test_an_approved_comment_no_longer_shows_a_reason(client, auth, app, episode):
    posted = post(app.test_client(), "Details at https://example.net/x")
    with in_app() as session:
        moderation.apply(session.get(Comment, posted["id"]), "approve")
    auth.login()
    page = client.get("/dashboard?tab=all").get_data(as_text=True)
    assert "data-moderation-reason" not in page


@pytest.mark.parametrize(
    ("body", "links"),
    [
        ("no link here. Really.", 0),
        ("see https://x.example", 1),
        ("www.example.org and example.com/page", 2),
        ("I loved it.Then I slept", 0),
        ("shop.example.COM, now", 1),
        ("\uff48\uff54\uff54\uff50\uff53://x.example", 1),  # fullwidth https
    ],
)
def test_links_are_counted(body, links):
    assert spam.count_links(body) == links


@pytest.mark.parametrize(
    ("body", "shouting"),
    [
        ("OK LOL", False),
        ("WHY IS NOBODY TALKING ABOUT THIS", True),
        ("I think the BBC and NASA got this wrong, honestly", False),
        ("ЭТО ПРОСТО УЖАСНЫЙ ВЫПУСК", True),
    ],
)
def test_shouting_needs_enough_capital_letters(body, shouting):
    assert spam.is_shouting(body) is shouting


def test_reasons_fit_their_column():
    reason = "Spam: " + "; ".join(
        [
            "first comment with 99 links",
            "written in capitals",
            "same words as a comment on 99 other episodes",
            "99 comments in 10 minutes",
        ]
    )
    assert len(reason) <= Comment.moderation_reason.type.length


WORDS = "Best show ever, everyone should subscribe now"


@pytest.mark.parametrize(
    ("author", "email", "claimed", "words"),
    [
        ("Lee Listener", None, False, WORDS),
        (None, "LEE@example.com", False, WORDS),
        (None, None, True, WORDS),
        ("Lee Listener", "lee@example.com", True, "Short."),
        (None, None, False, "Short."),
    ],
)
def test_the_counts_read_with_the_house_rules_are_the_counts_read_alone(
    app, episode, author, email, claimed, words
):
    """A post reads the spam filter's counts in the statement of the house
    rules; they are what the filter counts on its own."""
    storm = make_episode(slug="storm", title="The Storm")
    mine = {}
    for n in range(3):
        comment = make_comment(episode, body=f"Number {n}, and a long enough one.")
        mine[comment.id] = comment.created_at
    for other in (storm, make_episode(slug="gale", title="The Gale")):
        copied = WORDS.upper()
        make_comment(
            other, body=copied, body_key=spam.body_key(copied), author="Zed", email=None
        )
    with in_app():
        counting = spam.Counting(
            body=words,
            episode_id=episode.id,
            email=email,
            author=author,
            own_ids=mine if claimed else {},
        )
        alone = spam._counts(counting)
        house = moderation.house_rules(counting)
    assert house.counts == alone
    copies = 2 if words == WORDS else 0
    recent = 3 if (author or email or claimed) else 0
    assert alone == (copies, recent)
