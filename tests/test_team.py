"""The team: roles and what each may do on every dashboard route, invitations
by mail end to end with a real SMTP server, single-use expiring links, the last
owner, removing a host, and the CLI's `--role`."""

import re

import pytest
import sqlalchemy as sa

from podcast_hub.auth.roles import Permission
from podcast_hub.dashboard import access
from podcast_hub.models import MAX_ID, Host, HostRole, Invitation, OutboxMail

from . import mailserver
from .conftest import Auth, csrf_from
from .helpers import (
    at_once,
    in_app,
    make_chapter,
    make_comment,
    make_episode,
    make_host,
    make_show,
    make_soundbite,
    post_at_once,
    scalar,
    tabs_of,
    writes_meet,
)
from .mailserver import html_of, link_in, text_of

BASE = "https://podcast.example.org"
PASSWORD = "correct horse"
NEW_PASSWORD = "lantern quietly folds maps"

# What each dashboard route needs, said here independently of the app's table.
EXPECTED = {
    "dashboard.block_person": Permission.CONVERSATION,
    "dashboard.trust_person": Permission.CONVERSATION,
    "dashboard.unblock_person": Permission.CONVERSATION,
    "dashboard.untrust_person": Permission.CONVERSATION,
    "dashboard.undo_action": Permission.CONVERSATION,
    "dashboard.forget_rule": Permission.CONVERSATION,
    "dashboard.upload_episode_art": Permission.EPISODES,
    "dashboard.remove_episode_art": Permission.EPISODES,
    "dashboard.upload_transcript": Permission.EPISODES,
    "dashboard.remove_transcript": Permission.EPISODES,
    "dashboard.edit_chapters": Permission.EPISODES,
    "dashboard.upload_chapters": Permission.EPISODES,
    "dashboard.range_comments": Permission.EPISODES,
    "dashboard.show_insights": Permission.EPISODES,
    "dashboard.index": Permission.CONVERSATION,
    "dashboard.reply": Permission.CONVERSATION,
    "dashboard.moderate": Permission.CONVERSATION,
    "dashboard.no_reply_needed": Permission.CONVERSATION,
    "dashboard.bulk": Permission.CONVERSATION,
    "dashboard.moderation_settings": Permission.CONVERSATION,
    "dashboard.add_blocks": Permission.CONVERSATION,
    "dashboard.remove_block": Permission.CONVERSATION,
    "dashboard.episode_list": Permission.EPISODES,
    "dashboard.new_episode": Permission.EPISODES,
    "dashboard.edit_episode": Permission.EPISODES,
    "dashboard.replace_audio": Permission.EPISODES,
    "dashboard.shift": Permission.EPISODES,
    "dashboard.publish": Permission.EPISODES,
    "dashboard.unpublish": Permission.EPISODES,
    "dashboard.close_comments": Permission.EPISODES,
    "dashboard.reopen_comments": Permission.EPISODES,
    "dashboard.add_episode_person": Permission.EPISODES,
    "dashboard.remove_episode_person": Permission.EPISODES,
    "dashboard.episode_insights": Permission.EPISODES,
    "dashboard.add_chapter": Permission.EPISODES,
    "dashboard.add_soundbite": Permission.EPISODES,
    "dashboard.remove_chapter": Permission.EPISODES,
    "dashboard.remove_soundbite": Permission.EPISODES,
    "dashboard.feed_health": Permission.EPISODES,
    "dashboard.show_settings": Permission.SHOW,
    "dashboard.upload_cover": Permission.SHOW,
    "dashboard.add_show_person": Permission.SHOW,
    "dashboard.remove_show_person": Permission.SHOW,
    "dashboard.retry_mail": Permission.SHOW,
    "dashboard.team_page": Permission.TEAM,
    "dashboard.invite": Permission.TEAM,
    "dashboard.resend_invitation": Permission.TEAM,
    "dashboard.revoke_invitation": Permission.TEAM,
    "dashboard.change_role": Permission.TEAM,
    "dashboard.remove_member": Permission.TEAM,
    "dashboard.account": Permission.ACCOUNT,
    "dashboard.account_mail": Permission.ACCOUNT,
    "dashboard.inbox_feed": Permission.ACCOUNT,
}
ALLOWED = {
    HostRole.OWNER: set(Permission),
    HostRole.COHOST: {Permission.CONVERSATION, Permission.EPISODES, Permission.ACCOUNT},
    HostRole.MODERATOR: {Permission.CONVERSATION, Permission.ACCOUNT},
}
MEMBERS = {
    HostRole.OWNER: ("owner@example.com", "Olive Owner"),
    HostRole.COHOST: ("cohost@example.com", "Cole Cohost"),
    HostRole.MODERATOR: ("mod@example.com", "Mona Moderator"),
}
FORM = {
    "body": "x",
    "action": "hide",
    "title": "Changed",
    "publication": "draft",
    "mode": "hold_all",
    "kind": "word",
    "values": "x",
    "role": "moderator",
    "email": "",
}


@pytest.fixture
def episode(app, clock):
    make_show(title="Lighthouse Tales")
    return make_episode(slug="keeper", title="The Lighthouse Keeper", duration_s=1800)


@pytest.fixture
def team(episode):
    """One host of each role; return their ids by role."""
    ids = {}
    for role, (email, name) in MEMBERS.items():
        with in_app():
            from podcast_hub.auth import hosts

            ids[role] = hosts.create_host(email, name, PASSWORD, role=role).id
    return ids


def log_in(app, role):
    """Return a test client logged in as the team's host of `role`."""
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": MEMBERS[role][0], "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    return client


def dashboard_routes(app):
    """Return (rule, method) for every dashboard route."""
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("dashboard.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def fill(rule, values):
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_the_permission_table_covers_every_dashboard_route(app):
    """Each route's permission in the app's table is the one said here. A new
    route must be decided here too: until then the app keeps it for owners when
    its path matches no rule of `dashboard.access`."""
    undecided = sorted(
        {rule.endpoint for rule, _ in dashboard_routes(app)} - set(EXPECTED)
    )
    assert undecided == [], "say which permission these routes need in EXPECTED"
    for rule, _method in dashboard_routes(app):
        assert access.permission_for(rule.rule) == EXPECTED[rule.endpoint], rule.rule


@pytest.mark.parametrize("role", list(HostRole))
def test_every_dashboard_route_answers_each_role_as_the_matrix_says(
    app, team, episode, role
):
    """Walk `app.url_map`: a route the role allows is never 403; one it does
    not allow is 403 with a page that names the role, and changes nothing."""
    comment = make_comment(episode)
    chapter = make_chapter(episode, source="host", start_s=60, title="Storm")
    soundbite = make_soundbite(episode)
    real = {
        "comment_id": comment.id,
        "episode_id": episode.id,
        "chapter_id": chapter.id,
        "soundbite_id": soundbite.id,
    }
    client = log_in(app, role)
    token = csrf_from(client.get("/dashboard/account").get_data(as_text=True))
    checked = 0
    for rule, method in dashboard_routes(app):
        needed = access.permission_for(rule.rule)
        allowed = needed in ALLOWED[role]
        if method == "GET":
            # Pages with the things they name: an allowed page renders.
            values = {k: real.get(k, MAX_ID) for k in rule.arguments}
            response = client.get(fill(rule, values))
        else:
            # Buttons on nothing (ids no row has): no harm when allowed.
            values = dict.fromkeys(rule.arguments, MAX_ID)
            response = client.open(
                fill(rule, values), method=method, data={**FORM, "csrf_token": token}
            )
        html = response.get_data(as_text=True)
        if allowed:
            assert response.status_code != 403, (role, method, rule.rule)
            if method == "GET" and all(k in real for k in rule.arguments):
                assert response.status_code == 200, (role, rule.rule)
        else:
            assert response.status_code == 403, (role, method, rule.rule)
            assert "<h1>Not allowed</h1>" in html
            label = {"owner": "Owner", "cohost": "Co-host", "moderator": "Moderator"}
            assert f"Your role on this show is {label[role]}" in html
        checked += 1
    assert checked >= 40
    # Every role still logged in as itself: nothing above removed anyone.
    assert scalar(sa.select(sa.func.count(Host.id))) == 3


def test_each_role_sees_only_the_tabs_it_may_open(app, team):
    tabs = {
        HostRole.OWNER: [
            "Inbox",
            "Episodes",
            "Show",
            "Feed health",
            "Moderation",
            "Team",
            "Account",
        ],
        HostRole.COHOST: ["Inbox", "Episodes", "Feed health", "Moderation", "Account"],
        HostRole.MODERATOR: ["Inbox", "Moderation", "Account"],
    }
    for role, expected in tabs.items():
        html = log_in(app, role).get("/dashboard/account").get_data(as_text=True)
        nav = re.search(r'<nav class="dash-nav".*?</nav>', html, re.S).group(0)
        labels = [
            re.sub(r"<.*", "", a, flags=re.S).strip()
            for a in re.findall(r">([^<]+)", nav)
        ]
        shown = [label for label in labels if label in tabs[HostRole.OWNER]]
        assert shown == expected, role


def test_the_hosts_addresses_are_shown_only_to_owners_on_the_team_page(app, team):
    owner = log_in(app, HostRole.OWNER).get("/dashboard/team").get_data(as_text=True)
    assert "cohost@example.com" in owner and "mod@example.com" in owner
    cohost = log_in(app, HostRole.COHOST)
    assert cohost.get("/dashboard/team").status_code == 403
    account = cohost.get("/dashboard/account").get_data(as_text=True)
    assert "Olive Owner" in account and "owner@example.com" not in account
    assert "mod@example.com" not in account


def test_a_moderator_moderates_through_the_api_but_may_not_publish(app, team, episode):
    comment = make_comment(episode)
    client = log_in(app, HostRole.MODERATOR)
    token = csrf_from(client.get("/dashboard").get_data(as_text=True))
    hidden = client.post(
        f"/api/comments/{comment.id}/moderation",
        json={"action": "hide"},
        headers={"X-CSRFToken": token},
    )
    assert hidden.status_code == 200
    publish = client.post(
        f"/dashboard/episodes/{episode.id}/unpublish",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert publish.status_code == 403
    assert "may not add, edit, publish or unpublish episodes" in publish.get_data(
        as_text=True
    )
    assert client.get("/episodes/keeper").status_code == 200


# --- invitations, end to end with a real SMTP server ---


@pytest.fixture
def config_overrides(request):
    if "smtp" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("smtp")
    return mailserver.settings(
        server, "Lighthouse <podcast@example.org>", BASE_URL=BASE
    )


@pytest.fixture
def owner(app, client, csrf, episode):
    """The show's owner, logged in with `client`."""
    make_host(email="owner@example.com", display_name="Olive Owner")
    auth = Auth(client, csrf)
    assert auth.login(email="owner@example.com").status_code == 303
    return auth


def invite(client, email="new@example.com", role="moderator"):
    token = csrf_from(client.get("/dashboard/team").get_data(as_text=True))
    return client.post(
        "/dashboard/team/invitations",
        data={"email": email, "role": role, "csrf_token": token},
    )


def button(client, path, **fields):
    token = csrf_from(client.get("/dashboard/team").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **fields})


def remove(client, host_id):
    """Press Remove on the Team page, then confirm; return the last response."""
    asked = button(client, f"/dashboard/team/{host_id}/remove")
    assert asked.status_code == 200
    assert "from the team?</h1>" in asked.get_data(as_text=True)
    return button(client, f"/dashboard/team/{host_id}/remove", confirm="yes")


def delivered_link(runner, smtp, to="new@example.com"):
    """Deliver the outbox; return the join link of the latest mail to `to`."""
    result = runner.invoke(args=["hub", "deliver", "--once"])
    assert result.exit_code == 0, result.output
    message = smtp.inbox.to(to)[-1]
    return link_in(text_of(message), f"{BASE}/mail/join/").removeprefix(BASE)


def join(app, link, name="Nora New", password=NEW_PASSWORD):
    """Open `link` in a fresh browser and send the form; return (client, response)."""
    client = app.test_client()
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(
        link,
        data={
            "name": name,
            "password": password,
            "confirm": password,
            "csrf_token": token,
        },
    )
    return client, response


def test_an_invited_moderator_joins_by_the_mailed_link_and_may_only_moderate(
    app, client, owner, runner, smtp, episode
):
    response = invite(client)
    assert response.status_code == 303
    page = client.get("/dashboard/team").get_data(as_text=True)
    assert "Invitation sent to new@example.com as Moderator" in page
    assert "new@example.com" in page and "Invitations waiting" in page

    link = delivered_link(runner, smtp)
    [message] = smtp.inbox.to("new@example.com")
    assert message["Subject"] == "You are invited to host Lighthouse Tales"
    assert "Olive Owner invites you to host Lighthouse Tales as Moderator" in text_of(
        message
    )
    assert f'href="{BASE}{link}"' in html_of(message)

    page = app.test_client().get(link).get_data(as_text=True)
    assert "You are invited as <strong>Moderator</strong>" in page
    assert "new@example.com" in page

    newcomer, joined = join(app, link)
    assert joined.status_code == 303
    assert joined.headers["Location"] == "/dashboard"
    inbox = newcomer.get("/dashboard").get_data(as_text=True)
    assert "Welcome to the team of Lighthouse Tales: you are Moderator." in inbox
    assert newcomer.get("/dashboard/moderation").status_code == 200
    refused = newcomer.get("/dashboard/episodes")
    assert refused.status_code == 403
    assert "Your role on this show is Moderator" in refused.get_data(as_text=True)
    assert newcomer.get("/dashboard/show").status_code == 403
    assert newcomer.get("/dashboard/team").status_code == 403

    # The link worked once; the new password logs in from another browser.
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "already used" in again.get_data(as_text=True)
    other = Auth(app.test_client(), None)
    other.csrf = lambda path="/login": csrf_from(
        other.client.get(path).get_data(as_text=True)
    )
    assert other.login("new@example.com", NEW_PASSWORD).status_code == 303
    with in_app() as session:
        host = session.scalar(sa.select(Host).where(Host.email == "new@example.com"))
        assert (host.display_name, host.role) == ("Nora New", "moderator")
    assert "Invitations waiting" in client.get("/dashboard/team").get_data(as_text=True)
    assert "No invitation is waiting." in client.get("/dashboard/team").get_data(
        as_text=True
    )


def test_an_invited_cohost_may_publish_but_not_manage_the_team(
    app, client, owner, runner, smtp, episode
):
    assert invite(client, role="cohost").status_code == 303
    newcomer, joined = join(app, delivered_link(runner, smtp))
    assert joined.status_code == 303
    token = csrf_from(newcomer.get("/dashboard/episodes").get_data(as_text=True))
    unpublished = newcomer.post(
        f"/dashboard/episodes/{episode.id}/unpublish",
        data={"csrf_token": token, "confirm": "yes"},
    )
    assert unpublished.status_code == 303
    assert newcomer.get("/dashboard/team").status_code == 403
    assert newcomer.get("/dashboard/show").status_code == 403


def test_invite_pressed_twice_at_once_sends_one_invitation(app, client, owner):
    """Each request finds no invitation waiting for the address before either
    stores one: one is sent, the other says one is waiting."""
    token = csrf_from(client.get("/dashboard/team").get_data(as_text=True))
    tabs = tabs_of(app, client)
    form = {"email": "new@example.com", "role": "moderator", "csrf_token": token}
    answers = post_at_once(app, "invitation", tabs, "/dashboard/team/invitations", form)
    sent, refused = sorted(answers, key=lambda a: a.status_code)
    assert (sent.status_code, refused.status_code) == (303, 400)
    assert "already has an invitation waiting" in refused.get_data(as_text=True)
    with in_app() as session:
        assert session.scalars(sa.select(Invitation.email)).all() == ["new@example.com"]
        mails = session.scalars(sa.select(OutboxMail.kind)).all()
        assert mails.count("invite") == 1


def test_a_link_answered_twice_at_once_makes_one_account(
    app, client, owner, runner, smtp
):
    """The join form sent from two tabs at once: each found the link unused
    before either used it. One joins; the other is told the link was used."""
    invite(client)
    link = delivered_link(runner, smtp)
    tabs = [app.test_client() for _ in range(2)]
    forms = []
    for tab in tabs:
        token = csrf_from(tab.get(link).get_data(as_text=True))
        forms.append(
            {
                "name": "Nora New",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
                "csrf_token": token,
            }
        )
    with writes_meet(app):
        answers = at_once(
            *(
                lambda tab=tab, form=form: tab.post(link, data=form)
                for tab, form in zip(tabs, forms, strict=True)
            )
        )
    joined, refused = sorted(answers, key=lambda a: a.status_code)
    assert joined.status_code == 303
    assert refused.status_code == 403
    assert "already used" in refused.get_data(as_text=True)
    with in_app() as session:
        made = session.scalars(sa.select(Host).where(Host.email == "new@example.com"))
        assert [h.display_name for h in made] == ["Nora New"]


def test_a_weak_password_keeps_the_link_working_and_says_why(
    app, client, owner, runner, smtp
):
    invite(client)
    link = delivered_link(runner, smtp)
    _newcomer, response = join(app, link, password="password1")
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert join(app, link)[1].status_code == 303


def test_an_expired_link_says_so(app, client, owner, runner, smtp, clock):
    invite(client)
    link = delivered_link(runner, smtp)
    clock.advance(days=7, seconds=1)
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "This invitation expired: ask the show&#39;s owner to send it again." in (
        response.get_data(as_text=True)
    )
    assert "expired" in client.get("/dashboard/team").get_data(as_text=True)


def test_sending_again_replaces_the_link(app, client, owner, runner, smtp, clock):
    invite(client)
    first = delivered_link(runner, smtp)
    invitation_id = scalar(sa.select(Invitation.id))
    clock.advance(days=6)
    resent = button(client, f"/dashboard/team/invitations/{invitation_id}/resend")
    assert resent.status_code == 303
    second = delivered_link(runner, smtp)
    assert second != first
    old = app.test_client().get(first)
    assert old.status_code == 410
    assert "use the link in the latest mail" in old.get_data(as_text=True)
    clock.advance(days=3)  # past the first week, within the second
    assert join(app, second)[1].status_code == 303


def test_a_withdrawn_invitation_sends_nothing_and_its_link_fails(
    app, client, owner, runner, smtp
):
    invite(client)
    link = delivered_link(runner, smtp)
    invite(client, email="late@example.com")
    invitation_id = scalar(
        sa.select(Invitation.id).where(Invitation.email == "late@example.com")
    )
    assert (
        button(
            client, f"/dashboard/team/invitations/{invitation_id}/revoke"
        ).status_code
        == 303
    )
    runner.invoke(args=["hub", "deliver", "--once"])
    assert smtp.inbox.to("late@example.com") == []
    first_id = scalar(
        sa.select(Invitation.id).where(Invitation.email == "new@example.com")
    )
    button(client, f"/dashboard/team/invitations/{first_id}/revoke")
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "The show&#39;s owner withdrew this invitation." in response.get_data(
        as_text=True
    )


def test_a_link_that_is_not_one_is_404(app, owner):
    response = app.test_client().get("/mail/join/not-a-token")
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "e-mail address"),
        ("owner@example.com", "already belongs to a host of the show"),
    ],
)
def test_an_invitation_to_a_bad_or_taken_address_is_refused(
    client, owner, email, message
):
    response = invite(client, email=email)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert scalar(sa.select(sa.func.count(OutboxMail.id))) == 0


def test_a_second_invitation_to_a_waiting_address_is_refused(client, owner):
    assert invite(client).status_code == 303
    response = invite(client)
    assert response.status_code == 400
    assert "already has an invitation waiting" in response.get_data(as_text=True)


# --- roles, removing, the last owner ---


def _host_id(email):
    return scalar(sa.select(Host.id).where(Host.email == email))


def test_the_last_owner_can_be_neither_demoted_nor_removed(client, owner):
    me = _host_id("owner@example.com")
    token = csrf_from(client.get("/dashboard/team").get_data(as_text=True))
    demoted = client.post(
        f"/dashboard/team/{me}/role", data={"role": "cohost", "csrf_token": token}
    )
    assert demoted.status_code == 303
    page = client.get("/dashboard/team").get_data(as_text=True)
    assert "Olive Owner is the show&#39;s only owner" in page
    removed = remove(client, me)
    assert removed.status_code == 303
    assert "only owner" in client.get("/dashboard/team").get_data(as_text=True)
    with in_app() as session:
        assert session.get(Host, me).role == "owner"


def test_with_a_second_owner_an_owner_may_step_down(client, owner):
    make_host(email="second@example.com", display_name="Sam Second")
    me = _host_id("owner@example.com")
    token = csrf_from(client.get("/dashboard/team").get_data(as_text=True))
    response = client.post(
        f"/dashboard/team/{me}/role", data={"role": "cohost", "csrf_token": token}
    )
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard/team").status_code == 403
    with in_app() as session:
        assert session.get(Host, me).role == "cohost"


def test_a_removed_cohost_is_logged_out_at_once_and_replies_stay(
    app, client, owner, episode
):
    make_host(email="co@example.com", display_name="Cole Cohost")
    with in_app() as session:
        session.execute(
            sa.update(Host).where(Host.email == "co@example.com").values(role="cohost")
        )
        session.commit()
    co = Auth(app.test_client(), None)
    co.csrf = lambda path="/login": csrf_from(
        co.client.get(path).get_data(as_text=True)
    )
    assert co.login("co@example.com").status_code == 303
    comment = make_comment(episode)
    token = csrf_from(co.client.get("/dashboard").get_data(as_text=True))
    co.client.post(
        f"/dashboard/comments/{comment.id}/reply",
        data={"body": "Thanks from Cole", "csrf_token": token},
    )
    co_id = _host_id("co@example.com")
    asked = button(client, f"/dashboard/team/{co_id}/remove")
    assert "will no longer be able to log in" in asked.get_data(as_text=True)
    assert co.client.get("/dashboard").status_code == 200  # not yet
    removed = remove(client, co_id)
    assert removed.status_code == 303
    assert "Cole Cohost is no longer on the team" in client.get(
        "/dashboard/team"
    ).get_data(as_text=True)
    after = co.client.get("/dashboard")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    page = app.test_client().get("/episodes/keeper").get_data(as_text=True)
    assert "Thanks from Cole" in page and "Cole Cohost" in page


def test_the_cli_makes_a_host_with_a_role(runner, app):
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "mo@example.com",
            "--name",
            "Mo",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created host Mo <mo@example.com>, Moderator." in result.output
    with in_app() as session:
        assert session.scalar(sa.select(Host.role)) == "moderator"


def test_the_cli_refuses_an_unknown_role(runner, app):
    result = runner.invoke(
        args=["hub", "create-host", "mo@example.com", "--name", "Mo", "--role", "boss"],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 2
    assert "'boss' is not one of 'owner', 'cohost', 'moderator'" in result.output


def test_someone_who_became_a_host_meanwhile_accepts_with_a_button(
    app, client, owner, runner, smtp
):
    """An invitation to an address that got an account since (from the command
    line) gives that host the invited role; their password stays."""
    invite(client, role="cohost")
    link = delivered_link(runner, smtp)
    result = runner.invoke(
        args=[
            "hub",
            "create-host",
            "new@example.com",
            "--name",
            "Nora",
            "--role",
            "moderator",
            "--password-stdin",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    browser = app.test_client()
    page = browser.get(link).get_data(as_text=True)
    assert "You already host this show as <strong>Nora</strong>" in page
    assert 'name="password"' not in page
    accepted = browser.post(link, data={"csrf_token": csrf_from(page)})
    assert accepted.status_code == 303
    assert browser.get("/dashboard/episodes").status_code == 200
    with in_app() as session:
        assert (
            session.scalar(sa.select(Host.role).where(Host.email == "new@example.com"))
            == "cohost"
        )
