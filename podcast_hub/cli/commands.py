"""The `hub` command group: hosts, import, purging deleted comments, the demo,
and the WebSub hub's `tick`."""

import sys
from pathlib import Path

import click
from flask import current_app

from ..auth import hosts
from ..catalog import importer
from ..conversation import moderation
from ..errors import ValidationFailed
from ..feeds import push
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
def create_host_command(email, name, password_stdin):
    """Create a host account that can log in to the dashboard."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        host = hosts.create_host(email=email, display_name=name, password=password)
    except ValidationFailed as failure:
        for field, messages in failure.fields.items():
            for message in messages:
                click.echo(f"error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"Created host {host.display_name} <{host.email}>.")


@hub.command("import")
@click.argument(
    "directory",
    required=False,
    type=click.Path(file_okay=False, dir_okay=True, path_type=Path),
)
def import_command(directory):
    """Sync audio files from DIRECTORY (default MEDIA_DIR) into episodes."""
    media_dir = Path(current_app.config["MEDIA_DIR"])
    directory = (directory or media_dir).resolve()
    if not directory.is_dir():
        click.echo(f"error: {directory} is not a folder", err=True)
        sys.exit(2)
    report = importer.sync(directory)
    for line in report.lines():
        # Warnings (cover art, sidecar files) go to stderr but leave status 0.
        click.echo(line, err=line.startswith(("skipped", "warning")))
    click.echo(report.summary())
    _ping_hub()
    sys.exit(1 if report.skipped else 0)


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
def demo_command():
    """Load the demo show, its host and a few conversations (idempotent)."""
    login = demo.load()
    click.echo(
        f"Demo show ready: {login.episodes} episodes, {login.comments} comments."
    )
    if login.password is None:
        click.echo(f"Log in at /login as {login.email} with the password you chose.")
    else:
        click.echo(f"Log in at /login as {login.email} with password {login.password}")
