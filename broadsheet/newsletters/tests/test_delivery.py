"""Sending an issue through a real SMTP server in this process (aiosmtpd)."""

from __future__ import annotations

import email
import re
from collections import Counter
from datetime import UTC, timedelta
from email import policy
from email.utils import parsedate_to_datetime
from functools import partial

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from broadsheet.newsletters import claims, delivery, services, tokens
from broadsheet.newsletters.models import (
    Batch,
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

from .conftest import issue_create, subscribers_confirm

pytestmark = pytest.mark.django_db


def send(issue, capture) -> Issue:
    """Start the send the way the admin does; the immediate task backend runs it here."""
    with capture(execute=True):
        assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
    issue.refresh_from_db()
    return issue


def parse(received) -> email.message.EmailMessage:
    return email.message_from_bytes(received.content, policy=policy.default)


class TestDigestEmail:
    def test_every_recipient_gets_one_well_formed_message(
        self, smtp_settings, smtp_sink, en_digest, en_articles, django_capture_on_commit_callbacks
    ):
        smtp_settings.NEWSLETTERS_BATCH_SIZE = 7
        subscribers = subscribers_confirm(newsletter=en_digest, count=30)
        pending = Subscriber.objects.create(email="pending@example.com", language="en-us")
        Subscription.objects.create(
            subscriber=pending, newsletter=en_digest, requested_at=timezone.now()
        )
        issue = issue_create(newsletter=en_digest, articles=en_articles, subject="Week one")

        issue = send(issue, django_capture_on_commit_callbacks)

        assert issue.status == IssueStatus.SENT
        assert issue.recipient_count == 30
        assert Batch.objects.filter(issue=issue).count() == 5
        counts = smtp_sink.handler.count_by_recipient()
        assert counts == {s.email: 1 for s in subscribers}  # the unconfirmed one gets nothing
        report = issue_report(issue=issue)
        assert (report.recipients, report.sent, report.failed, report.pending) == (30, 30, 0, 0)

        first = subscribers[0]
        received = next(r for r in smtp_sink.handler.received if r.rcpt == first.email)
        message = parse(received)
        assert message["Subject"] == "Week one"
        assert message["To"] == first.email
        (sender,) = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (
            "The Weekly Digest",
            "newsletters@localhost",
        )
        assert message["Message-ID"] == tokens.message_id_make(
            issue_id=issue.pk, subscriber_id=first.pk, domain="localhost"
        )
        assert received.message_id == message["Message-ID"]
        # Stored with the delivery at the snapshot: what staff and complaint reports see.
        assert Delivery.objects.get(subscriber=first).message_id == message["Message-ID"]
        sent_at = parsedate_to_datetime(message["Date"])  # "-0000": UTC, said the RFC 2822 way
        assert abs(sent_at.replace(tzinfo=UTC) - timezone.now()) < timedelta(minutes=5)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        mailto, https = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
        assert mailto.startswith("mailto:unsubscribe@localhost?subject=unsubscribe%20")
        assert https.startswith("http://testserver/en-us/newsletters/unsubscribe/")
        assert message["Content-Language"] == "en-us"
        assert message["List-Id"].endswith("<weekly.en-us.localhost>")
        assert received.mail_from == "newsletters@localhost"

        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for article in en_articles:
            assert article.title in text and article.title in html
            assert article.get_full_url() in text and article.get_full_url() in html
        assert https in text and https in html
        assert "%%BS-" not in text + html
        assert f"/en-us/newsletters/weekly/{issue.pk}/" in html
        assert 'style="' in html  # inline styles: mail clients drop <style> blocks

        # The one-click POST of that header, from a mail client: no cookies, no CSRF token.
        path = https.removeprefix("http://testserver")
        response = Client(enforce_csrf_checks=True).post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
        assert Subscription.objects.get(subscriber=first).status == "unsubscribed"
        assert issue_report(issue=issue).unsubscribed == 1

    def test_the_spanish_digest_links_to_the_spanish_edition(
        self, smtp_settings, smtp_sink, es_digest, es_articles, django_capture_on_commit_callbacks
    ):
        subscribers_confirm(newsletter=es_digest, count=2)
        issue = issue_create(newsletter=es_digest, articles=es_articles, subject="Semana")
        send(issue, django_capture_on_commit_callbacks)
        message = parse(smtp_sink.handler.received[0])
        assert message["Content-Language"] == "es-es"
        assert "/es-es/newsletters/unsubscribe/" in message["List-Unsubscribe"]
        html = message.get_body(preferencelist=("html",)).get_content()
        assert '<html lang="es-es">' in html
        assert all(a.get_full_url() in html for a in es_articles)

    def test_a_second_start_sends_nothing_more(
        self, smtp_settings, smtp_sink, en_digest, en_articles, django_capture_on_commit_callbacks
    ):
        subscribers_confirm(newsletter=en_digest, count=3)
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert not services.issue_send_start(issue_id=issue.pk, now=timezone.now())
        assert delivery.issue_deliver(issue_id=issue.pk).sent == 0
        assert not delivery.issue_prepare(issue_id=issue.pk)
        assert len(smtp_sink.handler.received) == 3

    def test_an_issue_without_articles_cannot_be_sent(self, en_digest):
        issue = Issue.objects.create(newsletter=en_digest, subject="Empty")
        with pytest.raises(services.IssueError):
            services.issue_send_start(issue_id=issue.pk, now=timezone.now())


class TestRefusals:
    def test_4xx_is_retried_until_accepted_and_sent_once(
        self, smtp_settings, smtp_sink, en_digest, en_articles, django_capture_on_commit_callbacks
    ):
        subscribers = subscribers_confirm(newsletter=en_digest, count=6)
        slow = {subscribers[1].email, subscribers[4].email}
        # Refused after the whole message (the end of DATA): the message was handed over.
        smtp_sink.handler.refuse_data = lambda rcpt, attempt: (
            "451 4.3.0 Try again later" if rcpt in slow and attempt <= 2 else None
        )
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        assert smtp_sink.handler.count_by_recipient() == {s.email: 1 for s in subscribers}
        assert issue.status == IssueStatus.SENT
        retried = Delivery.objects.filter(issue=issue, email__in=slow)
        assert set(retried.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 3)}

    def test_4xx_forever_fails_after_the_retries(
        self, smtp_settings, smtp_sink, en_digest, en_articles, django_capture_on_commit_callbacks
    ):
        smtp_settings.NEWSLETTERS_SOFT_RETRIES = 2
        (stuck, fine) = subscribers_confirm(newsletter=en_digest, count=2)
        smtp_sink.handler.refuse_rcpt = lambda rcpt, attempt: (
            "452 4.2.2 Mailbox full" if rcpt == stuck.email else None
        )
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        failed = Delivery.objects.get(issue=issue, subscriber=stuck)
        assert (failed.status, failed.attempts, failed.smtp_code) == ("failed", 3, 452)
        assert smtp_sink.handler.rcpt_attempts[stuck.email] == 3
        assert smtp_sink.handler.count_by_recipient() == {fine.email: 1}
        stuck.refresh_from_db()
        assert not stuck.is_suppressed  # a soft bounce does not stop the address
        assert issue.status == IssueStatus.SENT

    @pytest.mark.parametrize("pipelining", [True, False])
    def test_5xx_fails_at_once_and_a_hard_bounce_suppresses(
        self,
        smtp_settings,
        smtp_sink,
        en_digest,
        en_articles,
        django_capture_on_commit_callbacks,
        pipelining,
    ):
        smtp_sink.handler.pipelining = pipelining
        subscribers = subscribers_confirm(newsletter=en_digest, count=5)
        unknown, rejected = subscribers[0], subscribers[3]
        smtp_sink.handler.refuse_rcpt = lambda rcpt, attempt: (
            "550 5.1.1 No such user" if rcpt == unknown.email else None
        )
        smtp_sink.handler.refuse_data = lambda rcpt, attempt: (
            "554 5.7.1 Message refused" if rcpt == rejected.email else None
        )
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        assert smtp_sink.handler.count_by_recipient() == {
            s.email: 1 for s in subscribers if s not in (unknown, rejected)
        }
        assert smtp_sink.handler.rcpt_attempts[unknown.email] == 1
        assert smtp_sink.handler.data_attempts[rejected.email] == 1
        unknown.refresh_from_db()
        rejected.refresh_from_db()
        assert unknown.suppression_reason == SuppressionReason.HARD_BOUNCE
        assert not rejected.is_suppressed  # refused content is not a dead mailbox
        report = issue_report(issue=issue)
        assert (report.sent, report.failed, report.bounced) == (3, 2, 1)

        # The next issue is not sent to the suppressed address.
        smtp_sink.handler.reset()
        nxt = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        assert nxt.recipient_count == 4
        assert unknown.email not in smtp_sink.handler.count_by_recipient()

    def test_an_unreachable_server_defers_everything(
        self, smtp_settings, en_digest, en_articles, django_capture_on_commit_callbacks
    ):
        smtp_settings.EMAIL_PORT = 1  # nothing listens there
        smtp_settings.NEWSLETTERS_SOFT_RETRIES = 0
        subscribers_confirm(newsletter=en_digest, count=2)
        issue = send(
            issue_create(newsletter=en_digest, articles=en_articles),
            django_capture_on_commit_callbacks,
        )
        rows = Delivery.objects.filter(issue=issue)
        assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
        assert all("before hand-over" in e for e in rows.values_list("error", flat=True))


class TestClaims:
    """The claims that make "never twice" hold, step by step."""

    def _prepared(self, newsletter, articles, settings, count=6, batch_size=3):
        settings.NEWSLETTERS_BATCH_SIZE = batch_size
        subscribers_confirm(newsletter=newsletter, count=count)
        issue = issue_create(newsletter=newsletter, articles=articles)
        Issue.objects.filter(pk=issue.pk).update(
            status=IssueStatus.SENDING, send_started_at=timezone.now()
        )
        assert delivery.issue_prepare(issue_id=issue.pk)
        return issue

    def test_two_workers_never_claim_one_batch(self, settings, en_digest, en_articles):
        issue = self._prepared(en_digest, en_articles, settings)
        now, lease = timezone.now(), timedelta(seconds=60)
        first = claims.batch_claim_next(issue_id=issue.pk, now=now, lease=lease)
        second = claims.batch_claim_next(issue_id=issue.pk, now=now, lease=lease)
        assert first.number == 0 and second.number == 1
        assert claims.batch_claim_next(issue_id=issue.pk, now=now, lease=lease) is None

    def test_an_expired_lease_is_taken_over_and_the_old_holder_stops(
        self, settings, en_digest, en_articles
    ):
        issue = self._prepared(en_digest, en_articles, settings, count=3)
        now, lease = timezone.now(), timedelta(seconds=60)
        dead = claims.batch_claim_next(issue_id=issue.pk, now=now, lease=lease)
        later = now + timedelta(seconds=61)
        taker = claims.batch_claim_next(issue_id=issue.pk, now=later, lease=lease)
        assert taker.pk == dead.pk and taker.claims == 2
        with pytest.raises(claims.LeaseLostError):
            claims.batch_renew(batch=dead, now=later, lease=lease)
        assert not claims.batch_finish(batch=dead, now=later)
        assert claims.batch_finish(batch=taker, now=later)

    def test_a_message_is_handed_over_once(self, settings, en_digest, en_articles):
        issue = self._prepared(en_digest, en_articles, settings, count=1)
        row = Delivery.objects.get(issue=issue)
        assert claims.delivery_hand_over(delivery_id=row.pk, now=timezone.now())
        assert not claims.delivery_hand_over(delivery_id=row.pk, now=timezone.now())

    def test_a_restart_resends_nothing_that_was_handed_over(
        self, smtp_settings, smtp_sink, en_digest, en_articles
    ):
        # A worker died holding batch 0: it had handed over the first message (the server
        # may have it) and not touched the others.
        issue = self._prepared(en_digest, en_articles, smtp_settings, count=3, batch_size=10)
        rows = list(Delivery.objects.filter(issue=issue).order_by("pk"))
        dead = claims.batch_claim_next(
            issue_id=issue.pk, now=timezone.now(), lease=timedelta(seconds=60)
        )
        claims.delivery_hand_over(delivery_id=rows[0].pk, now=timezone.now())
        Batch.objects.filter(pk=dead.pk).update(lease_expires_at=timezone.now())

        stats = delivery.issue_deliver(issue_id=issue.pk)

        assert stats.sent == 2
        assert smtp_sink.handler.count_by_recipient() == {rows[1].email: 1, rows[2].email: 1}
        statuses = dict(Delivery.objects.filter(issue=issue).values_list("pk", "status"))
        assert statuses[rows[0].pk] == DeliveryStatus.UNCONFIRMED
        issue.refresh_from_db()
        assert issue.status == IssueStatus.SENT
        assert issue_report(issue=issue).unconfirmed == 1

    def test_a_live_lease_is_left_alone_and_the_watchdog_sees_it(
        self, settings, en_digest, en_articles
    ):
        issue = self._prepared(en_digest, en_articles, settings, count=3, batch_size=10)
        now = timezone.now()
        claims.batch_claim_next(issue_id=issue.pk, now=now, lease=timedelta(seconds=60))
        issue.refresh_from_db()
        assert delivery.issue_send_needs(issue=issue, now=now) == delivery.Revival()
        later = now + timedelta(seconds=61)
        assert delivery.issue_send_needs(issue=issue, now=later) == delivery.Revival(deliver=True)

    def test_a_preparation_that_died_is_redone(self, settings, en_digest, en_articles):
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        started = timezone.now() - timedelta(minutes=5)
        Issue.objects.filter(pk=issue.pk).update(status="sending", send_started_at=started)
        issue.refresh_from_db()
        needs = delivery.issue_send_needs(issue=issue, now=timezone.now())
        assert needs == delivery.Revival(prepare=True)

    def test_readers_who_leave_after_the_snapshot_are_skipped(
        self, smtp_settings, smtp_sink, en_digest, en_articles
    ):
        issue = self._prepared(en_digest, en_articles, smtp_settings, count=3, batch_size=10)
        leaving, bouncing, staying = Subscriber.objects.filter(deliveries__issue=issue).order_by(
            "pk"
        )
        services.subscription_unsubscribe(
            subscriber_id=leaving.pk, newsletter_id=en_digest.pk, issue_id=None, now=timezone.now()
        )
        services.subscriber_suppress(
            email=bouncing.email, reason=SuppressionReason.COMPLAINT, now=timezone.now()
        )
        delivery.issue_deliver(issue_id=issue.pk)
        assert smtp_sink.handler.count_by_recipient() == {staying.email: 1}
        assert issue_report(issue=issue).skipped == 2


class VirtualClock:
    """Time that passes only when someone sleeps: the pace is read off the sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_pacer_holds_the_rate(
    monkeypatch,
    smtp_settings,
    smtp_sink,
    en_digest,
    en_articles,
    django_capture_on_commit_callbacks,
):
    smtp_settings.NEWSLETTERS_SEND_RATE = 40
    smtp_settings.NEWSLETTERS_WORKERS_PER_SEND = 1
    clock = VirtualClock()
    monkeypatch.setattr(
        delivery, "_Pacer", partial(delivery._Pacer, clock=clock, sleep=clock.sleep)
    )
    subscribers_confirm(newsletter=en_digest, count=9)
    send(
        issue_create(newsletter=en_digest, articles=en_articles), django_capture_on_commit_callbacks
    )
    assert len(smtp_sink.handler.received) == 9
    # Every message after the first waited its turn: at 40 a second, 1/40 s apart, so nine
    # messages took 8/40 s of (virtual) time however fast or slow the machine is.
    assert clock.sleeps == pytest.approx([1 / 40] * 8)
    assert clock.now == pytest.approx(8 / 40)


def test_the_pacer_does_not_wait_for_a_slow_sender():
    clock = VirtualClock()
    pacer = delivery._Pacer(10, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 1.0  # the message took longer than its tenth of a second to send
    pacer.wait()
    pacer.wait()
    assert clock.sleeps == pytest.approx([0.1])  # only the third waits, and only its turn


def test_the_batch_template_makes_the_same_message_as_a_full_build(
    settings, en_digest, en_articles
):
    from broadsheet.newsletters import rendering
    from broadsheet.newsletters.transports import smtp_data_bytes

    (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    Issue.objects.filter(pk=issue.pk).update(status="sending", send_started_at=timezone.now())
    delivery.issue_prepare(issue_id=issue.pk)
    issue.refresh_from_db()
    messages = rendering.IssueMessages(issue)
    template = messages.smtp_template()
    fast = messages.smtp_bytes(template, subscriber_id=subscriber.pk, email=subscriber.email)
    full = smtp_data_bytes(messages.build(subscriber_id=subscriber.pk, email=subscriber.email))
    parsed = [email.message_from_bytes(raw, policy=policy.default) for raw in (fast, full)]
    for name in ("To", "From", "Subject", "Message-ID", "List-Unsubscribe", "List-Id"):
        assert str(parsed[0][name]).strip() == str(parsed[1][name]).strip(), name
    for kind in ("plain", "html"):
        bodies = [p.get_body(preferencelist=(kind,)).get_content() for p in parsed]
        assert bodies[0] == bodies[1]
    assert b"x-bs-" not in fast


def test_any_django_backend_can_send(
    settings, en_digest, en_articles, django_capture_on_commit_callbacks
):
    # The locmem backend stands in for anymail's providers: same path, no SMTP.
    settings.NEWSLETTERS_TRANSPORT = "backend"
    subscribers = subscribers_confirm(newsletter=en_digest, count=3)
    issue = send(
        issue_create(newsletter=en_digest, articles=en_articles), django_capture_on_commit_callbacks
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    assert issue.status == IssueStatus.SENT
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_confirmed_subscriptions_only_in_the_snapshot(settings, en_digest, en_articles):
    confirmed = subscribers_confirm(newsletter=en_digest, count=2)
    Subscription.objects.filter(subscriber=confirmed[0]).update(
        status=SubscriptionStatus.UNSUBSCRIBED
    )
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    Issue.objects.filter(pk=issue.pk).update(status="sending", send_started_at=timezone.now())
    delivery.issue_prepare(issue_id=issue.pk)
    assert list(Delivery.objects.values_list("email", flat=True)) == [confirmed[1].email]


def test_a_worker_asked_to_stop_gives_its_batch_back_and_the_next_finishes(
    smtp_settings, en_digest, en_articles
):
    """The stop flag (SIGTERM in a worker, stopping.py) is read between groups: the groups
    sent are recorded, the batch is pending again, and whoever claims it next sends the rest,
    each message once."""
    from broadsheet.newsletters import stopping
    from broadsheet.newsletters.tests.smtp_sink import SinkHandler, SMTPSink

    smtp_settings.NEWSLETTERS_BATCH_SIZE = 40
    smtp_settings.NEWSLETTERS_SMTP_CONNECTIONS = 5
    subscribers = subscribers_confirm(newsletter=en_digest, count=60, prefix="stop")

    def stop_at_the_twelfth(rcpt: str, attempt: int) -> None:
        if rcpt == subscribers[11].email:
            stopping.stop_request()  # as the signal handler does, mid-group

    handler = SinkHandler(keep_content=False, refuse_rcpt=stop_at_the_twelfth)
    with SMTPSink(handler) as sink:
        smtp_settings.EMAIL_PORT = sink.port
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        Issue.objects.filter(pk=issue.pk).update(status="sending", send_started_at=timezone.now())
        delivery.issue_prepare(issue_id=issue.pk)
        with stopping.stop_on_signals():
            first = delivery.issue_deliver(issue_id=issue.pk)
        assert first.stopped
        # The group under way when the stop came was finished: 3 groups of 5.
        assert first.sent == len(handler.received) == 15
        statuses = Counter(Delivery.objects.filter(issue=issue).values_list("status", flat=True))
        assert statuses == {"sent": 15, "pending": 45}
        batch = Batch.objects.get(issue=issue, number=0)
        assert (batch.status, batch.claim_token, batch.lease_expires_at) == ("pending", "", None)
        assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING

        with stopping.stop_on_signals():
            rest = delivery.issue_deliver(issue_id=issue.pk)
    assert not rest.stopped and rest.sent == 45
    assert handler.count_by_recipient() == {s.email: 1 for s in subscribers}
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT
