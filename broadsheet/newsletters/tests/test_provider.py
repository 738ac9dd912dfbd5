"""Sending through a provider's batch API: django-anymail's Mailgun backend against a local
HTTP stand-in of Mailgun's API (provider_standin.py), one call per group of recipients."""

from __future__ import annotations

import math
from urllib.parse import unquote, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.newsletters import services, tokens
from broadsheet.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    SuppressionReason,
)
from broadsheet.newsletters.selectors import issue_report
from broadsheet.newsletters.transports import ProviderTransport, transport_choice, transport_open

from .conftest import issue_create, subscribers_confirm
from .provider_standin import ProviderStandIn, StandInState
from .smtp_sink import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin():
    with ProviderStandIn() as api:
        yield api


@pytest.fixture
def provider_settings(settings, standin):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = standin.anymail_settings()
    settings.NEWSLETTERS_TRANSPORT = "provider"
    settings.NEWSLETTERS_RETRY_SECONDS = 0
    settings.NEWSLETTERS_SEND_RATE = 0
    settings.NEWSLETTERS_PROVIDER_BATCH_SIZE = 12
    settings.NEWSLETTERS_BATCH_SIZE = 25
    return settings


def send(issue, capture) -> Issue:
    with capture(execute=True):
        assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
    issue.refresh_from_db()
    return issue


def test_each_recipient_gets_one_personal_message_in_batched_calls(
    provider_settings, standin, en_digest, en_articles, django_capture_on_commit_callbacks
):
    subscribers = subscribers_confirm(newsletter=en_digest, count=40)
    issue = send(
        issue_create(newsletter=en_digest, articles=en_articles, subject="Batched"),
        django_capture_on_commit_callbacks,
    )

    assert issue.status == IssueStatus.SENT
    assert standin.state.count_by_recipient() == {s.email: 1 for s in subscribers}
    # Batches of 25 rows, calls of at most 12: 12 + 12 + 1, then 12 + 3.
    assert sorted(c.recipients for c in standin.state.calls) == [1, 3, 12, 12, 12]
    assert len(standin.state.calls) == math.ceil(25 / 12) + math.ceil(15 / 12)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    report = issue_report(issue=issue)
    assert (report.recipients, report.sent, report.failed) == (40, 40, 0)

    by_rcpt = {m.rcpt: m for m in standin.state.received}
    for subscriber in subscribers:
        message = by_rcpt[subscriber.email]
        assert message.message_id == tokens.message_id_make(
            issue_id=issue.pk, subscriber_id=subscriber.pk, domain="localhost"
        )
        assert message.subject == "Batched"
        assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.headers["List-Id"].startswith("The Weekly Digest <weekly.en-us.")
        mailto, https = (part.strip(" <>") for part in message.list_unsubscribe.split(","))
        assert mailto.startswith("mailto:unsubscribe@localhost?subject=unsubscribe%20")
        token = unquote(mailto.rpartition("%20")[2])
        assert tokens.unsubscribe_token_read(token).subscriber_id == subscriber.pk
        # The personal links are in the body, substituted by the provider.
        assert https in message.html and https in message.text
        assert "%recipient." not in message.html + message.text
        assert "%%BS-" not in message.html + message.text
        assert message.variables["nl_issue"] == str(issue.pk)
    assert len({m.message_id for m in standin.state.received}) == 40

    # The one-click link in a provider-built message works like any other.
    first = by_rcpt[subscribers[0].email]
    https = first.list_unsubscribe.split(",")[1].strip(" <>")
    response = Client().post(urlparse(https).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get(subscriber=subscribers[0]).status == (
        SubscriptionStatus.UNSUBSCRIBED
    )


def test_a_busy_provider_defers_the_call_and_it_is_sent_once_later(
    provider_settings, en_digest, en_articles, django_capture_on_commit_callbacks
):
    # 429 (rate limited), then a 503: nothing was taken, both calls are sent again.
    state = StandInState(fault=lambda number, rcpts: {1: 429, 3: 503}.get(number))
    with ProviderStandIn(state) as api:
        provider_settings.ANYMAIL = api.anymail_settings()
        subscribers = subscribers_confirm(newsletter=en_digest, count=20)
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
    assert issue.status == IssueStatus.SENT
    assert state.count_by_recipient() == {s.email: 1 for s in subscribers}
    assert [c.status for c in state.calls][:3] == [429, 200, 503]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Batch of 20, calls of 12: the first call (429) is sent again, and refused again (503),
    # while the second call's 8 went at once; the 12 went on their third try.
    attempts = sorted(Delivery.objects.values_list("attempts", flat=True))
    assert attempts == [1] * 8 + [3] * 12


def test_one_bad_address_does_not_sink_its_batch(
    provider_settings, standin, en_digest, en_articles, django_capture_on_commit_callbacks
):
    # The provider refuses the whole call (400) for one invalid address: the group is split
    # until the address at fault is found; it fails and is suppressed, the others go once.
    subscribers = subscribers_confirm(newsletter=en_digest, count=11)
    bad = Subscriber.objects.create(email="reader@mail.invalid", language="en-us")
    Subscription.objects.create(
        subscriber=bad,
        newsletter=en_digest,
        status=SubscriptionStatus.CONFIRMED,
        requested_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    issue = send(
        issue_create(newsletter=en_digest, articles=en_articles),
        django_capture_on_commit_callbacks,
    )
    assert issue.status == IssueStatus.SENT
    assert standin.state.count_by_recipient() == {s.email: 1 for s in subscribers}
    failed = Delivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.email == bad.email and failed.smtp_code == 553 and failed.bounced_at
    bad.refresh_from_db()
    assert bad.suppression_reason == SuppressionReason.HARD_BOUNCE
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 11


def test_an_answer_lost_after_the_call_is_never_sent_again(
    provider_settings, en_digest, en_articles, django_capture_on_commit_callbacks
):
    # The provider takes the second call's messages but the connection drops before the
    # answer: they may have gone, so they are "unconfirmed" and not sent again.
    state = StandInState(fault=lambda number, rcpts: "drop" if number == 2 else None)
    with ProviderStandIn(state) as api:
        provider_settings.ANYMAIL = api.anymail_settings()
        subscribers = subscribers_confirm(newsletter=en_digest, count=20)
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
    assert issue.status == IssueStatus.SENT
    assert state.count_by_recipient() == {s.email: 1 for s in subscribers}
    unconfirmed = Delivery.objects.filter(status=DeliveryStatus.UNCONFIRMED)
    assert unconfirmed.count() == 8  # the second call: rows 13 to 20 of the first batch
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 12
    assert issue_report(issue=issue).unconfirmed == 8


def test_an_unreachable_provider_defers_and_nothing_is_unconfirmed(
    provider_settings, en_digest, en_articles, django_capture_on_commit_callbacks
):
    provider_settings.ANYMAIL = {
        "MAILGUN_API_KEY": "standin-key",
        "MAILGUN_API_URL": f"http://127.0.0.1:{free_port()}/v3",
    }
    provider_settings.NEWSLETTERS_SOFT_RETRIES = 1
    subscribers_confirm(newsletter=en_digest, count=5)
    issue = send(
        issue_create(newsletter=en_digest, articles=en_articles),
        django_capture_on_commit_callbacks,
    )
    assert issue.status == IssueStatus.SENT
    # Refused connections twice (one try and one retry): failed, never "unconfirmed".
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.FAILED, 2)}
    assert "before hand-over" in Delivery.objects.first().error


def test_auto_chooses_the_provider_for_mailgun(settings, standin):
    settings.NEWSLETTERS_TRANSPORT = "auto"
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = standin.anymail_settings()
    assert transport_choice() == "provider"
    assert isinstance(transport_open(), ProviderTransport)
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    assert transport_choice() == "backend"
    settings.NEWSLETTERS_PROVIDER_MERGE_FIELD = "{{{{{}}}}}"
    assert transport_choice() == "provider"
