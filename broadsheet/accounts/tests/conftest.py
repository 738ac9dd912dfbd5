"""Fixtures for the accounts (and subscriptions) tests."""

from __future__ import annotations

import pytest

from .helpers import CommittingClient, SmtpServer


@pytest.fixture
def client():
    """Every test here uses a client whose requests commit their side effects."""
    return CommittingClient()


@pytest.fixture
def mailbox(settings):
    """A real SMTP server in the test process; Django sends to it over the socket."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        yield server.inbox
