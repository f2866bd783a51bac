"""Delivering the outbox over SMTP: what `hub deliver` runs.

The one door to smtplib. `smtp://` says STARTTLS when the server offers it
(and logs in only over TLS, or to a server on this machine); `smtps://` is TLS
from the start. A refusal for good (a 5xx answer to this mail) fails the mail
and the dashboard shows it; anything else (the server down, slow, busy, a 4xx)
puts it back in the queue with a backoff.
"""

import ipaddress
import smtplib
import ssl
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app

from ..models import MailKind, OutboxMail
from . import compose, hosts, outbox

SCHEMES = {"smtp": 587, "smtps": 465}


class MailConfigError(RuntimeError):
    """The configuration cannot send mail; the message says what to set."""


@dataclass
class Settings:
    """What delivering needs from the configuration."""

    smtp_url: str
    mail_from: str
    base_url: str
    timeout_s: int

    @classmethod
    def from_config(cls) -> "Settings":
        """Return the settings of the current app; raise MailConfigError."""
        problem = problem_with(current_app.config)
        if problem:
            raise MailConfigError(problem)
        config = current_app.config
        return cls(
            smtp_url=config["SMTP_URL"],
            mail_from=config["MAIL_FROM"],
            base_url=config["BASE_URL"],
            timeout_s=config["MAIL_TIMEOUT_S"],
        )


def problem_with(config: dict) -> str | None:
    """Return why mail cannot go out with `config`, or None."""
    if not config.get("SMTP_URL"):
        return "PODCAST_HUB_SMTP_URL is not set: mail waits in the outbox."
    url = urlsplit(config["SMTP_URL"])
    if url.scheme not in SCHEMES or not url.hostname:
        return (
            "PODCAST_HUB_SMTP_URL must look like smtp://user:password@host:587 "
            "or smtps://user:password@host:465."
        )
    _name, sender = parseaddr(config.get("MAIL_FROM") or "")
    if "@" not in sender:
        return (
            "PODCAST_HUB_MAIL_FROM is not set to an address, e.g. "
            "'Moments <podcast@example.org>': mail waits in the outbox."
        )
    if not config.get("BASE_URL"):
        return (
            "PODCAST_HUB_BASE_URL is not set: the links in mail are made from it. "
            "Mail waits in the outbox."
        )
    return None


class Transient(Exception):
    """The mail could not go now; try again later."""


class Permanent(Exception):
    """The SMTP server refused this mail for good."""


@dataclass
class Report:
    """What one pass of delivering did."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line for the operator."""
        return (
            f"Sent {self.sent}, skipped {self.skipped} no longer wanted, "
            f"{self.retried} to retry, {self.failed} failed."
        )


class Connection:
    """One SMTP session, opened at the first mail that needs it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, message, sender: str, recipient: str) -> None:
        """Send `message` to `recipient` alone; raise Transient or Permanent."""
        try:
            if self.smtp is None:
                self.smtp = connect(self.settings.smtp_url, self.settings.timeout_s)
            self.smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _refusal(code, text, recipient) from error
        except smtplib.SMTPDataError as error:
            raise _refusal(error.smtp_code, error.smtp_error, recipient) from error
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise Transient(_hide(_describe(error), recipient)) from error

    def close(self) -> None:
        """End the session, politely if the server still answers."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def connect(url: str, timeout_s: int) -> smtplib.SMTP:
    """Open and return an SMTP session for `url`, logged in if it names a user."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or SCHEMES[parts.scheme]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout_s, context=context)
        secure = True
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout_s)
        smtp.ehlo()
        secure = smtp.has_extn("starttls")
        if secure:
            smtp.starttls(context=context)
            smtp.ehlo()
    if parts.username:
        if not secure and not _is_local(host):
            smtp.close()
            raise smtplib.SMTPException(
                f"{host} offers no STARTTLS: the password is not sent in the clear."
            )
        smtp.login(unquote(parts.username), unquote(parts.password or ""))
    return smtp


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refusal(code: int, text: bytes | str, recipient: str) -> Exception:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    described = _hide(f"{code} {words}".strip(), recipient)
    return Permanent(described) if code >= 500 else Transient(described)


def _describe(error: BaseException) -> str:
    # smtplib reports a timeout while reading an answer as a disconnection.
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return "The SMTP server did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The SMTP server refused the connection."
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"


def _hide(text: str, recipient: str) -> str:
    """Return an SMTP server's words without the recipient's address."""
    if not recipient:
        return text
    lowered = text.lower()
    start = lowered.find(recipient.lower())
    while start != -1:
        text = text[:start] + "(the recipient)" + text[start + len(recipient) :]
        lowered = text.lower()
        start = lowered.find(recipient.lower())
    return text


def deliver_once(settings: Settings, limit: int = 50) -> Report:
    """Queue the digests that are due, then send every mail that is due now.

    Returns what was done. Stops early when the SMTP server cannot be reached:
    the rest waits for the next pass.
    """
    report = Report()
    hosts.queue_digests(current_app.config["MAIL_DIGEST_HOUR"])
    claim = uuid.uuid4().hex
    links = compose.Links(settings.base_url)
    connection = Connection(settings)
    _name, sender = parseaddr(settings.mail_from)
    try:
        while mails := outbox.claim(claim, limit):
            if not _send_all(mails, links, connection, settings, sender, report):
                break
    finally:
        connection.close()
    return report


def _groups(mails: Sequence[OutboxMail]) -> list[list[OutboxMail]]:
    """Return `mails` as the messages they make: a listener's replies together."""
    groups: dict[object, list[OutboxMail]] = {}
    for mail in mails:
        key = ("reply", mail.address_id) if mail.kind == MailKind.REPLY else mail.id
        groups.setdefault(key, []).append(mail)
    return list(groups.values())


def _send_all(mails, links, connection, settings, sender, report) -> bool:
    """Send each message `mails` make; return False if the rest must wait."""
    pending = _groups(mails)
    while pending:
        group = pending.pop(0)
        try:
            draft = compose.draft(group, links)
        except compose.Skip as skip:
            outbox.skipped(group, str(skip))
            report.skipped += len(group)
            continue
        message = compose.message(draft, settings.mail_from)
        try:
            connection.send(message, sender, draft.to)
        except Permanent as error:
            outbox.failed(group, str(error))
            report.failed += len(group)
            report.errors.append(str(error))
        except Transient as error:
            rest = [group, *pending] if connection.smtp is None else [group]
            for waiting in rest:
                outbox.retry_later(waiting, str(error))
                report.retried += len(waiting)
            report.errors.append(str(error))
            if connection.smtp is None:
                return False
        else:
            outbox.sent(group, str(message["Message-ID"]))
            report.sent += len(group)
    return True


def run(
    settings: Settings,
    poll_s: int,
    on_pass: Callable[[Report], None],
    stop: threading.Event,
) -> None:
    """Deliver every `poll_s` seconds until `stop` is set; `on_pass` hears of
    each pass that did something. A pass under way finishes first, so that no
    mail is left claimed."""
    while not stop.is_set():
        report = deliver_once(settings)
        if report.sent or report.skipped or report.retried or report.failed:
            on_pass(report)
        stop.wait(poll_s)
