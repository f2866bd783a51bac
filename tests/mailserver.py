"""A real SMTP server for the tests: aiosmtpd on a free loopback port, keeping
every message it is handed, optionally slow to answer."""

import asyncio
import email
import email.policy
import threading

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: keeps (envelope recipients, parsed message) pairs."""

    def __init__(self):
        self.received = []
        self.delay_s = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        message = email.message_from_bytes(
            envelope.original_content, policy=email.policy.default
        )
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        """Return the messages whose envelope went to `address`."""
        with self.lock:
            return [m for rcpts, m in self.received if address in rcpts]


class MailServer:
    """An SMTP server on `port` that can be started and stopped again."""

    def __init__(self, port):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def settings(server, sender="Moments <podcast@example.org>", **more):
    """Return the app's configuration for mail through `server`: its URL, the
    sender, a short timeout, and `more`."""
    return {
        "SMTP_URL": server.url,
        "MAIL_FROM": sender,
        "MAIL_TIMEOUT_S": 2,
        **more,
    }


def text_of(message):
    """Return the plain-text part of `message`."""
    return message.get_body(("plain",)).get_content()


def html_of(message):
    """Return the HTML part of `message`."""
    return message.get_body(("html",)).get_content()


def link_in(text, start):
    """Return the first URL in `text` that starts with `start`."""
    for word in text.split():
        if word.startswith(start):
            return word
    raise AssertionError(f"no link starting {start} in {text!r}")
