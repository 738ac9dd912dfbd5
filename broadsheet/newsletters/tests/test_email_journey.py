"""The whole double opt-in through a real SMTP server: sign up, receive, follow, confirm."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.test import Client

from broadsheet.newsletters.models import Subscription, SubscriptionStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("edition_fixture", "digest_fixture", "language"),
    [("en_edition", "en_digest", "en-us"), ("es_edition", "es_digest", "es-es")],
)
def test_signup_confirmation_email_link_and_post(
    request,
    smtp_settings,
    smtp_sink,
    edition_fixture,
    digest_fixture,
    language,
    django_capture_on_commit_callbacks,
):
    digest = request.getfixturevalue(digest_fixture)
    reader = Client(enforce_csrf_checks=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(
            f"/{language}/newsletters/signup/",
            {"email": "Reader@Example.com", "newsletters": [digest.pk], "website": ""},
        )
    assert response.status_code == 200

    (received,) = smtp_sink.handler.received
    assert received.rcpt == "reader@example.com"
    message = email.message_from_bytes(received.content, policy=policy.default)
    assert message["Content-Language"] == language
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert digest.name in text and digest.name in html
    link = re.search(r"http://testserver(/\S+/confirm/\S+/)", text).group(1)
    assert link.startswith(f"/{language}/newsletters/confirm/")
    assert link in html

    # A link scanner (or the reader) opens the link: nothing is confirmed yet.
    page = reader.get(link)
    assert page.status_code == 200
    assert page["Content-Language"] == language
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING

    # The reader presses the button.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    done = reader.post(link, {"csrfmiddlewaretoken": token.group(1)})
    assert done.status_code == 200
    assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED
    assert "/newsletters/preferences/" in done.content.decode()
