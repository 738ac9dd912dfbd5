"""Fixtures of the newsletter tests: a digest per edition, articles, subscribers, an SMTP
server, and settings that send through it."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from broadsheet.newsletters.models import (
    Issue,
    IssueItem,
    Newsletter,
    NewsletterKind,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from broadsheet.newsroom.tests import factories

from .smtp_sink import SMTPSink

_numbers = itertools.count(1)


def newsletter_create(*, edition, name="The Weekly", slug="weekly", **fields) -> Newsletter:
    fields.setdefault("kind", NewsletterKind.WEEKLY_DIGEST)
    fields.setdefault("send_weekday", 0)
    fields.setdefault("description", "The week's best stories.")
    return Newsletter.objects.create(locale=edition.locale, name=name, slug=slug, **fields)


def subscribers_confirm(*, newsletter, count: int, prefix: str = "reader") -> list[Subscriber]:
    now = timezone.now()
    language = newsletter.language_code
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=f"{prefix}{n}-{next(_numbers)}@example.com", language=language)
        for n in range(count)
    )
    subscribers = list(
        Subscriber.objects.filter(email__in=[s.email for s in subscribers]).order_by("pk")
    )
    Subscription.objects.bulk_create(
        Subscription(
            subscriber=s,
            newsletter=newsletter,
            status=SubscriptionStatus.CONFIRMED,
            requested_at=now,
            confirmed_at=now,
        )
        for s in subscribers
    )
    return subscribers


def issue_create(*, newsletter, articles, subject="This week", intro="Hello, readers.") -> Issue:
    issue = Issue.objects.create(newsletter=newsletter, subject=subject, intro=intro)
    IssueItem.objects.bulk_create(
        IssueItem(issue=issue, article=article, sort_order=order, source="most_read")
        for order, article in enumerate(articles)
    )
    return issue


@pytest.fixture
def en_digest(en_edition):
    return newsletter_create(edition=en_edition, name="The Weekly Digest", slug="weekly")


@pytest.fixture
def es_digest(es_edition):
    return newsletter_create(edition=es_edition, name="El Semanal", slug="semanal")


@pytest.fixture
def en_articles(en_world):
    return [
        factories.article_publish(section=en_world, title=f"English story {n}", access_level="free")
        for n in range(3)
    ]


@pytest.fixture
def es_articles(es_world):
    return [
        factories.article_publish(section=es_world, title=f"Noticia {n}", access_level="free")
        for n in range(2)
    ]


@pytest.fixture
def smtp_sink():
    with SMTPSink() as sink:
        yield sink


@pytest.fixture
def smtp_settings(settings, smtp_sink):
    """Newsletters (and every other email) go to the test SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.NEWSLETTERS_TRANSPORT = "smtp"
    settings.NEWSLETTERS_RETRY_SECONDS = 0
    settings.NEWSLETTERS_SEND_RATE = 0
    return settings
