"""The `hub` command group: hosts, import, purging deleted comments, the demo,
delivering mail, and the WebSub hub's `tick`."""

import signal
import sys
import threading
from pathlib import Path

import click
from flask import current_app, url_for

from ..auth import hosts, roles
from ..catalog import health, importer, storage
from ..conversation import moderation
from ..errors import ValidationFailed
from ..feeds import push
from ..mail import deliver
from ..models import HostRole
from . import demo


@click.group()
def hub():
    """Run the show from the command line."""


@hub.command("create-host")
@click.argument("email")
@click.option("--name", required=True, help="Display name shown on replies.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input."
)
@click.option(
    "--role",
    type=click.Choice([role.value for role in HostRole]),
    default=HostRole.OWNER.value,
    show_default=True,
    help="What the host may do: see the README's Team section.",
)
def create_host_command(email, name, password_stdin, role):
    """Create a host account that can log in to the dashboard."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        host = hosts.create_host(
            email=email, display_name=name, password=password, role=role
        )
    except ValidationFailed as failure:
        for field, messages in failure.fields.items():
            for message in messages:
                click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(
        f"Created host {host.display_name} <{host.email}>, {roles.label(host.role)}."
    )


@hub.command("import")
@click.argument(
    "directory",
    required=False,
    type=click.Path(file_okay=False, dir_okay=True, path_type=Path),
)
@click.option(
    "--prune",
    is_flag=True,
    help="Unpublish episodes whose audio file is gone (their comments stay).",
)
def import_command(directory, prune):
    """Sync audio files from DIRECTORY (default MEDIA_DIR) into episodes.

    Episodes whose file is gone are listed and kept out of the feed until the
    file is back; with --prune they are unpublished (drafts) too. With a bucket
    (MEDIA_S3_BUCKET), the files the episodes name are copied into it.
    """
    media_dir = Path(current_app.config["MEDIA_DIR"])
    directory = (directory or media_dir).resolve()
    if not directory.is_dir():
        click.echo(f"error: {directory} is not a folder", err=True)
        sys.exit(2)
    try:
        report = importer.sync(
            directory, prune=prune, feed_url=_feed_url(), store=bucket()
        )
    except storage.Unavailable as error:
        cause = f" ({error.__cause__})" if error.__cause__ else ""
        click.echo(f"error: {error}{cause}; nothing was imported", err=True)
        sys.exit(1)
    for line in report.lines():
        # Warnings (cover art, sidecar files) go to stderr but leave status 0.
        err = line.startswith(("skipped", "warning", "missing", "unpublished"))
        click.echo(line, err=err)
    click.echo(report.summary())
    findings = health.Findings(counted=report.counted, vanished=report.vanished)
    _echo_health(health.feed_health(directory, findings))
    _ping_hub()
    sys.exit(1 if report.skipped else 0)


@hub.command("check")
@click.argument(
    "directory",
    required=False,
    type=click.Path(file_okay=False, dir_okay=True, path_type=Path),
)
def check_command(directory):
    """Check the feed against what Apple, Spotify and the Podcast Index need.

    Files are looked for in DIRECTORY (default MEDIA_DIR, or the bucket when
    MEDIA_S3_BUCKET is set). Exits 1 when an item fails.
    """
    if directory is None and bucket() is not None:
        checklist = health.feed_health(bucket())
    else:
        directory = (directory or Path(current_app.config["MEDIA_DIR"])).resolve()
        checklist = health.feed_health(directory)
    _echo_health(checklist)
    sys.exit(1 if checklist.failed else 0)


def bucket():
    """Return the app's media store when it is not the media folder, else None."""
    store = current_app.extensions[storage.EXTENSION]
    return None if isinstance(store, storage.FolderStore) else store


def _echo_health(checklist):
    click.echo(f"\nFeed health ({checklist.summary()}):")
    for line in checklist.lines():
        click.echo(line)


def _feed_url():
    """Return the feed's address under BASE_URL, or None when it is not set."""
    base_url = current_app.config.get("BASE_URL")
    if not base_url:
        return None
    # As `web.links.absolute` writes it into the feed.
    with current_app.test_request_context("/"):
        return base_url + url_for("feeds.feed_xml")


def _ping_hub():
    """Tell the WebSub hub if the feed changed; say what happened, never fail."""
    hub_url = current_app.config.get("WEBSUB_HUB")
    if not hub_url:
        return
    topic = push.topic_url()
    if topic is None:
        click.echo(
            "warning: the WebSub hub was not told: set PODCAST_HUB_BASE_URL so "
            "that the command line knows the feed's address",
            err=True,
        )
        return
    delivery = push.tick(hub_url, topic)
    for url in delivery.sent:
        click.echo(f"hub: told {hub_url} that {url} changed")
    for url, reason in delivery.failed:
        click.echo(
            f"warning: hub: {url}: {reason}; tried again by `flask hub tick`",
            err=True,
        )


@hub.command("tick")
def tick_command():
    """Tell the WebSub hub about feed changes: scheduled episodes gone live, pings
    to retry. Run it every minute (cron, a systemd timer)."""
    if not current_app.config.get("WEBSUB_HUB"):
        click.echo("No WebSub hub is set (PODCAST_HUB_WEBSUB_HUB): nothing to do.")
        return
    _ping_hub()


@hub.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=moderation.PURGE_AFTER_DAYS,
    show_default=True,
    help="Remove comments deleted at least this many days ago.",
)
def purge_command(days):
    """Remove soft-deleted comments for good once they are DAYS old."""
    removed = moderation.purge_deleted(days=days)
    noun = "comment" if removed == 1 else "comments"
    click.echo(f"Purged {removed} deleted {noun} older than {days} days.")


@hub.command("demo")
@click.option(
    "--new-password",
    is_flag=True,
    help="Give the demo host a new password (the old one stops working).",
)
def demo_command(new_password):
    """Load the demo show, its host and a few conversations (idempotent).

    The demo host's password stays the same between runs; it is kept in the
    instance folder.
    """
    login = demo.load(new_password=new_password)
    click.echo(
        f"Demo show ready: {login.episodes} episodes, {login.comments} comments."
    )
    if login.password is None:
        click.echo(f"Log in at /login as {login.email} with the password you chose.")
        click.echo("Forgot it? `hub demo --new-password` makes a new one.")
        return
    click.echo(f"Log in at /login as {login.email} with password {login.password}")
    if login.password_state == "new":
        click.echo(
            f"This password is new; it is kept in {login.password_file} and stays "
            "the same on every run."
        )
    else:
        click.echo(
            f"The password is unchanged (kept in {login.password_file}); "
            "`hub demo --new-password` makes a new one."
        )


@hub.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due, then exit.")
def deliver_command(once):
    """Send the mail outbox over SMTP_URL; keep running unless --once.

    Exit status 1 with --once when some mail had to wait or failed; 2 when the
    configuration cannot send mail (it waits in the outbox).
    """
    try:
        settings = deliver.Settings.from_config()
    except deliver.MailConfigError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(2)
    if once:
        report = deliver.deliver_once(settings)
        _tell(report)
        sys.exit(1 if report.retried or report.failed else 0)
    poll = current_app.config["MAIL_POLL_S"]
    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    click.echo(f"Delivering mail every {poll} s; stop with Ctrl-C or SIGTERM.")
    deliver.run(settings, poll, on_pass=_tell, stop=stop)
    click.echo("Stopped.")


def _tell(report):
    for error in report.errors:
        click.echo(f"warning: {error}", err=True)
    click.echo(report.summary())
