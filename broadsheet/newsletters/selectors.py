"""Reads of the newsletters: what readers, editors and the digest composer need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import ModuleType

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from broadsheet.newsroom import selectors as newsroom_selectors

from . import tokens
from .models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Newsletter,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)

SIGNUP_BOX_CACHE_SECONDS = 300


def signup_box_cache_key(language_code: str) -> str:
    return f"newsletters:signup-box:{language_code.lower()}"


def newsletter_list_open(*, language_code: str) -> list[Newsletter]:
    """The newsletters of an edition open for signup: the weekly digest first."""
    newsletters = Newsletter.objects.filter(
        locale__language_code__iexact=language_code, is_active=True
    ).select_related("locale")
    return sorted(newsletters, key=lambda n: (not n.is_digest, n.sort_order, n.name))


def newsletter_for_signup_box(*, language_code: str) -> Newsletter | None:
    """The newsletter the article-page box offers (the edition's weekly digest), cached: the
    box is on every article page."""
    key = signup_box_cache_key(language_code)
    found = cache.get(key)
    if found is None:
        newsletters = newsletter_list_open(language_code=language_code)
        found = newsletters[0] if newsletters else False
        cache.set(key, found, SIGNUP_BOX_CACHE_SECONDS)
    return found or None


def newsletter_by_slug(*, language_code: str, slug: str) -> Newsletter:
    newsletter = (
        Newsletter.objects.filter(locale__language_code__iexact=language_code, slug=slug)
        .select_related("locale")
        .first()
    )
    if newsletter is None:
        raise Http404(_("There is no newsletter called “%(slug)s”.") % {"slug": slug[:80]})
    return newsletter


def newsletters_by_ids(*, ids: list[int], language_code: str) -> list[Newsletter]:
    """The open newsletters of this edition among these ids (others are ignored)."""
    return [n for n in newsletter_list_open(language_code=language_code) if n.pk in set(ids)]


def issue_archive_list(*, newsletter: Newsletter):
    return Issue.objects.filter(newsletter=newsletter, status=IssueStatus.SENT).order_by(
        "-send_started_at", "-pk"
    )


def issue_for_archive(*, newsletter: Newsletter, issue_id: int) -> Issue:
    issue = issue_archive_list(newsletter=newsletter).filter(pk=issue_id).first()
    if issue is None:
        raise Http404(_("That issue does not exist or has not been sent yet."))
    return issue


def issue_items(*, issue: Issue) -> list:
    """The issue's articles in order, the live ones only, with their bylines."""
    items = list(
        issue.items.select_related("article", "article__lead_image").order_by("sort_order")
    )
    return [item for item in items if item.article.live]


def subscriber_by_email(*, email: str) -> Subscriber | None:
    return Subscriber.objects.filter(email=email).first()


@dataclass(frozen=True)
class PreferenceRow:
    newsletter: Newsletter
    subscribed: bool
    pending: bool


def subscriber_preferences(*, subscriber: Subscriber) -> list[PreferenceRow]:
    """Every open newsletter, with this subscriber's state on it: their own edition's first."""
    states = dict(subscriber.subscriptions.values_list("newsletter_id", "status"))
    newsletters = Newsletter.objects.filter(
        Q(is_active=True) | Q(pk__in=list(states))
    ).select_related("locale")
    rows = [
        PreferenceRow(
            newsletter=n,
            subscribed=states.get(n.pk) == SubscriptionStatus.CONFIRMED,
            pending=states.get(n.pk) == SubscriptionStatus.PENDING,
        )
        for n in newsletters
    ]
    own = subscriber.language.lower()
    return sorted(
        rows,
        key=lambda r: (
            r.newsletter.language_code.lower() != own,
            r.newsletter.locale_id,
            not r.newsletter.is_digest,
            r.newsletter.sort_order,
            r.newsletter.name,
        ),
    )


def subscription_confirmed_count(*, newsletter: Newsletter) -> int:
    return Subscription.objects.filter(
        newsletter=newsletter,
        status=SubscriptionStatus.CONFIRMED,
        subscriber__suppressed_at__isnull=True,
    ).count()


@dataclass(frozen=True)
class IssueReport:
    recipients: int
    pending: int
    sent: int
    unconfirmed: int
    deferred: int
    failed: int
    skipped: int
    bounced: int
    unsubscribed: int


def issue_report(*, issue: Issue) -> IssueReport:
    by_status = dict(
        Delivery.objects.filter(issue=issue)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return IssueReport(
        recipients=issue.recipient_count,
        pending=by_status.get(DeliveryStatus.PENDING, 0)
        + by_status.get(DeliveryStatus.HANDED_OVER, 0),
        sent=by_status.get(DeliveryStatus.SENT, 0),
        unconfirmed=by_status.get(DeliveryStatus.UNCONFIRMED, 0),
        deferred=by_status.get(DeliveryStatus.DEFERRED, 0),
        failed=by_status.get(DeliveryStatus.FAILED, 0),
        skipped=by_status.get(DeliveryStatus.SKIPPED, 0),
        bounced=Delivery.objects.filter(issue=issue, bounced_at__isnull=False).count(),
        unsubscribed=issue.unsubscriptions.count(),
    )


def delivery_by_message_id(*, message_id: str) -> Delivery | None:
    """The delivery of a Message-ID we made (its tag checked), e.g. the one a complaint
    report quotes; None for anyone else's."""
    claim = tokens.message_id_read(message_id)
    if claim is None:
        return None
    return Delivery.objects.filter(
        issue_id=claim.issue_id, subscriber_id=claim.subscriber_id
    ).first()


def deliveries_unconfirmed(*, issue: Issue):
    """The messages of an issue handed to the mail server whose outcome nobody recorded:
    what staff resolve (resend, or mark received), oldest hand-over first."""
    return Delivery.objects.filter(issue=issue, status=DeliveryStatus.UNCONFIRMED).order_by(
        "handed_over_at", "pk"
    )


# The digest's sources. Each is one function so that the source can change in one place.


def digest_most_read(*, language_code: str, since: datetime, until: datetime, limit: int):
    """The period's most read articles of the edition, most read first (article ids).

    Uses the audience app's ranking when it is installed; until then, the period's latest.
    """
    audience_selectors: ModuleType | None
    try:
        from broadsheet.audience import selectors as audience_selectors
    except ImportError:
        audience_selectors = None
    ranking = getattr(audience_selectors, "article_ids_most_read", None)
    if ranking is not None:
        return list(ranking(language_code=language_code, since=since, until=until, limit=limit))
    return newsroom_selectors.article_ids_first_published(
        language_code=language_code, since=since, until=until, limit=limit
    )


def digest_editor_picks(*, language_code: str) -> list[int]:
    """The editors' picks: the edition's top stories, in the editors' order."""
    edition = newsroom_selectors.edition_for_language(language_code=language_code)
    if edition is None:
        return []
    return [article.pk for article in newsroom_selectors.edition_top_stories(edition=edition)]
