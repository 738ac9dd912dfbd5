"""Builders and tools for the accounts and subscriptions tests."""

from __future__ import annotations

import email
import itertools
import re
import socket
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client, TestCase

PASSWORD = "a long enough passphrase 42"
_sequence = itertools.count(1)


def reader_create(*, email_address: str | None = None, password: str = PASSWORD, **fields):
    """A reader with a verified email, as if they had signed up and confirmed it."""
    number = next(_sequence)
    email_address = email_address or f"reader{number}@example.com"
    user = get_user_model().objects.create_user(
        f"reader-{number}", email=email_address, password=password, **fields
    )
    EmailAddress.objects.create(user=user, email=email_address, verified=True, primary=True)
    return user


class CommittingClient(Client):
    """The test client, with each request's on-commit work (emails, tasks, cache drops) done
    when the request ends, as it is in production where nothing wraps the request."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def sign_in(client: Client, *, email_address: str, password: str = PASSWORD, language="en-us"):
    response = client.post(
        f"/{language}/accounts/login/", {"login": email_address, "password": password}
    )
    assert response.status_code == 302, response.content[:2000]
    return response


def reauthenticate(client: Client, *, password: str = PASSWORD, language="en-us"):
    """Type the password again, as allauth asks before sensitive changes."""
    response = client.post(f"/{language}/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:2000]
    return response


def browser(user_agent: str = "", **defaults) -> CommittingClient:
    if user_agent:
        defaults["HTTP_USER_AGENT"] = user_agent
    return CommittingClient(**defaults)


CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


class Inbox:
    """An SMTP server's mailbox: what really arrived over the wire, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no email to {address}; got {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @classmethod
    def links(cls, message: EmailMessage) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", cls.text(message))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
