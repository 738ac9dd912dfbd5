"""Bounces and complaints stop mail: from a bounce mailbox (SMTP) or a provider's webhook."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.utils import timezone

from broadsheet.newsletters import inbound, receivers, tokens
from broadsheet.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    Subscriber,
    Subscription,
    SuppressionReason,
)

from .conftest import issue_create, subscribers_confirm

pytestmark = pytest.mark.django_db


def dsn(recipient: str, status: str, message_id: str = "") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.com\r\n"
        "To: newsletters@localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: " + ("failed" if status.startswith("5") else "delayed") + "\r\n"
        f"Status: {status}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message_id}\r\nSubject: This week\r\n"
        "\r\n--B--\r\n"
    ).encode()


@pytest.fixture
def sent(en_digest, en_articles):
    subscribers = subscribers_confirm(newsletter=en_digest, count=2)
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    Issue.objects.filter(pk=issue.pk).update(status="sent", send_started_at=timezone.now())
    from broadsheet.newsletters.models import Batch

    batch = Batch.objects.create(issue=issue, number=0, status="done")
    for s in subscribers:
        Delivery.objects.create(
            issue=issue, subscriber=s, batch=batch, email=s.email, status=DeliveryStatus.SENT
        )
    return issue, subscribers


def test_a_hard_bounce_report_suppresses_and_marks_the_delivery(sent):
    issue, (bounced, fine) = sent
    message_id = tokens.message_id_make(
        issue_id=issue.pk, subscriber_id=bounced.pk, domain="localhost"
    )
    assert "hard bounce" in inbound.inbound_message_handle(dsn(bounced.email, "5.1.1", message_id))
    bounced.refresh_from_db()
    assert bounced.suppression_reason == SuppressionReason.HARD_BOUNCE
    assert Delivery.objects.get(subscriber=bounced).bounced_at is not None
    assert not Subscriber.objects.get(pk=fine.pk).is_suppressed


def test_a_soft_bounce_report_changes_nothing(sent):
    _issue, (subscriber, _fine) = sent
    assert "soft bounce" in inbound.inbound_message_handle(dsn(subscriber.email, "4.2.2"))
    subscriber.refresh_from_db()
    assert not subscriber.is_suppressed


def test_a_complaint_report_suppresses(sent):
    _issue, (subscriber, _fine) = sent
    raw = (
        "From: fbl@isp.example.net\r\nSubject: complaint\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: abuse\r\nUser-Agent: x/1\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: <{subscriber.email}>\r\n\r\n--F--\r\n"
    ).encode()
    assert inbound.inbound_message_handle(raw) == "complaint"
    subscriber.refresh_from_db()
    assert subscriber.suppression_reason == SuppressionReason.COMPLAINT


def arf(message_id: str) -> bytes:
    """A feedback report as many mailbox providers send it: the recipient left out, our
    message quoted."""
    return (
        "From: fbl@isp.example.net\r\nSubject: complaint\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: x/1\r\nVersion: 1\r\n\r\n"
        "--F\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: newsletters@localhost\r\nTo: redacted@isp.example.net\r\n"
        f"Message-ID: {message_id}\r\nSubject: This week\r\n\r\nHello.\r\n"
        "--F--\r\n"
    ).encode()


def test_a_complaint_without_its_recipient_is_matched_by_our_message_id(sent):
    issue, (complainer, fine) = sent
    delivery = Delivery.objects.get(subscriber=complainer)
    message_id = tokens.message_id_make(
        issue_id=issue.pk, subscriber_id=complainer.pk, domain="localhost"
    )
    assert inbound.inbound_message_handle(arf(message_id)) == "complaint"
    complainer.refresh_from_db()
    assert complainer.suppression_reason == SuppressionReason.COMPLAINT
    delivery.refresh_from_db()
    assert delivery.bounced_at is not None
    assert not Subscriber.objects.get(pk=fine.pk).is_suppressed


@pytest.mark.parametrize(
    "forged",
    [
        "<nl{issue}.{subscriber}.0123456789abcdef@localhost>",  # a guessed tag
        "<nl{issue}.{subscriber}@localhost>",
        "<nl{issue}.99999999999999999999999.0123456789abcdef@localhost>",
        "<someone-else@example.com>",
        "",
    ],
)
def test_a_complaint_naming_a_message_we_did_not_make_suppresses_nobody(sent, forged):
    issue, (subscriber, _fine) = sent
    message_id = forged.format(issue=issue.pk, subscriber=subscriber.pk)
    assert inbound.inbound_message_handle(arf(message_id)) == "complaint without recipient"
    assert not Subscriber.objects.filter(suppressed_at__isnull=False).exists()


def test_the_mailto_unsubscribe_works(sent, en_digest):
    issue, (subscriber, _fine) = sent
    token = tokens.unsubscribe_token_make(
        subscriber_id=subscriber.pk, newsletter_id=en_digest.pk, issue_id=issue.pk
    )
    message = EmailMessage()
    message["From"] = subscriber.email
    message["To"] = "unsubscribe@localhost"
    message["Subject"] = f"unsubscribe {token}"
    assert inbound.inbound_message_handle(message.as_bytes()) == "unsubscribed"
    assert Subscription.objects.get(subscriber=subscriber).status == "unsubscribed"
    message.replace_header("Subject", "unsubscribe 1.2.3:forged")
    assert inbound.inbound_message_handle(message.as_bytes()) == "unsubscribe with a bad token"


def test_the_inbound_command_reads_a_maildir(tmp_path, sent):
    _issue, (subscriber, _fine) = sent
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(mailbox.MaildirMessage(dsn(subscriber.email, "5.1.1")))
    call_command("newsletters_inbound", maildir=str(tmp_path / "bounces"))
    subscriber.refresh_from_db()
    assert subscriber.is_suppressed
    assert all(m.get_subdir() == "cur" for m in box)


@pytest.mark.parametrize(
    ("event_type", "reject_reason", "reason"),
    [
        ("bounced", "", SuppressionReason.HARD_BOUNCE),
        ("complained", "", SuppressionReason.COMPLAINT),
        ("rejected", "invalid", SuppressionReason.HARD_BOUNCE),
    ],
)
def test_provider_webhook_events_suppress(sent, event_type, reject_reason, reason):
    from anymail.signals import AnymailTrackingEvent, tracking

    _issue, (subscriber, _fine) = sent
    event = AnymailTrackingEvent(
        event_type=event_type, recipient=subscriber.email.upper(), reject_reason=reject_reason
    )
    tracking.send(sender=object, event=event, esp_name="Postmark")
    subscriber.refresh_from_db()
    assert subscriber.suppression_reason == reason


def test_provider_soft_events_do_not_suppress(sent):
    _issue, (subscriber, _fine) = sent
    assert receivers.provider_event_handle(event_type="deferred", recipient=subscriber.email) == (
        "ignored"
    )
    assert (
        receivers.provider_event_handle(event_type="unsubscribed", recipient=subscriber.email)
        == "unsubscribed"
    )
    subscriber.refresh_from_db()
    assert not subscriber.is_suppressed
    assert Subscription.objects.get(subscriber=subscriber).status == "unsubscribed"
