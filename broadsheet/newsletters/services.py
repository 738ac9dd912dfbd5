"""Writes of the newsletters: signup, confirmation, preferences, suppression, issues.

Each function is one transaction; emails and background work go out after it commits.
Delivery itself (snapshot, batches, sending) lives in delivery.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Concat, Left
from django.utils import formats, translation
from django.utils.translation import gettext as _

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record
from broadsheet.pagecache.services import page_cache_purge

from . import rules, selectors, tokens
from .models import (
    Batch,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueItem,
    IssueStatus,
    Newsletter,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    SuppressionReason,
)

logger = logging.getLogger(__name__)


class IssueError(Exception):
    """An editor asked for something the issue's state does not allow; the message says why."""


# Readers


@dataclass(frozen=True)
class SignupOutcome:
    confirmation_sent: bool


def subscriber_signup(
    *,
    email: str,
    newsletters: list[Newsletter],
    language: str,
    source: str,
    now: datetime,
    user=None,
) -> SignupOutcome:
    """Ask for these newsletters for this address: pending until the confirmation link is
    followed. The caller shows the same answer whatever happened (no enumeration)."""
    from .tasks import send_confirmation_email

    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(
            email=email, defaults={"language": language}
        )
        if subscriber.is_suppressed:
            logger.info("signup for a suppressed address ignored")
            return SignupOutcome(confirmation_sent=False)
        user_email = (getattr(user, "email", "") or "").lower() if user is not None else ""
        if user is not None and subscriber.user_id is None and user_email == email:
            subscriber.user = user
            subscriber.save(update_fields=["user"])
        needs_confirmation = False
        for newsletter in newsletters:
            subscription, created = Subscription.objects.get_or_create(
                subscriber=subscriber,
                newsletter=newsletter,
                defaults={"requested_at": now, "source": source[:32]},
            )
            if subscription.status == SubscriptionStatus.CONFIRMED:
                continue
            needs_confirmation = True
            if not created:
                subscription.status = SubscriptionStatus.PENDING
                subscription.requested_at = now
                subscription.source = source[:32]
                subscription.save(update_fields=["status", "requested_at", "source"])
        if needs_confirmation:
            # The confirmation speaks the language of the edition the reader signed up in.
            if subscriber.language != language:
                subscriber.language = language
                subscriber.save(update_fields=["language"])
            subscriber_id = subscriber.pk
            transaction.on_commit(
                lambda: send_confirmation_email.enqueue(subscriber_id=subscriber_id)
            )
    return SignupOutcome(confirmation_sent=needs_confirmation)


def subscriptions_confirm(*, subscriber: Subscriber, now: datetime) -> int:
    """Confirm everything this subscriber asked for; returns how many were pending."""
    return Subscription.objects.filter(
        subscriber=subscriber, status=SubscriptionStatus.PENDING
    ).update(status=SubscriptionStatus.CONFIRMED, confirmed_at=now, unsubscribed_at=None)


@transaction.atomic
def preferences_update(*, subscriber: Subscriber, wanted_ids: set[int], now: datetime) -> None:
    """Set exactly which newsletters this subscriber gets. The token in the link proves they
    read mail at this address, so choices here take effect without another confirmation, and
    choosing a newsletter again lifts a suppression (the reader asks for mail again)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    current = {s.newsletter_id: s for s in subscriber.subscriptions.all()}
    for newsletter_id, subscription in current.items():
        if newsletter_id not in wanted_ids and subscription.status != "unsubscribed":
            subscription.status = SubscriptionStatus.UNSUBSCRIBED
            subscription.unsubscribed_at = now
            subscription.save(update_fields=["status", "unsubscribed_at"])
    for newsletter in Newsletter.objects.filter(pk__in=wanted_ids):
        existing = current.get(newsletter.pk)
        if existing is None:
            Subscription.objects.create(
                subscriber=subscriber,
                newsletter=newsletter,
                status=SubscriptionStatus.CONFIRMED,
                source="preferences",
                requested_at=now,
                confirmed_at=now,
            )
        elif existing.status != SubscriptionStatus.CONFIRMED:
            existing.status = SubscriptionStatus.CONFIRMED
            existing.confirmed_at = now
            existing.unsubscribed_at = None
            existing.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    if wanted_ids and subscriber.is_suppressed:
        subscriber.suppressed_at = None
        subscriber.suppression_reason = ""
        subscriber.save(update_fields=["suppressed_at", "suppression_reason"])


def subscription_unsubscribe(
    *, subscriber_id: int, newsletter_id: int, issue_id: int | None, now: datetime
) -> bool:
    """Stop one newsletter for one subscriber, at once; True if it was on. Idempotent."""
    issue_exists = issue_id is not None and Issue.objects.filter(pk=issue_id).exists()
    return (
        Subscription.objects.filter(subscriber_id=subscriber_id, newsletter_id=newsletter_id)
        .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
        .update(
            status=SubscriptionStatus.UNSUBSCRIBED,
            unsubscribed_at=now,
            unsubscribed_issue_id=issue_id if issue_exists else None,
        )
        == 1
    )


def subscriber_unsubscribe_all(*, subscriber: Subscriber, now: datetime) -> int:
    return (
        Subscription.objects.filter(subscriber=subscriber)
        .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
        .update(status=SubscriptionStatus.UNSUBSCRIBED, unsubscribed_at=now)
    )


@transaction.atomic
def subscriber_suppress(
    *, email: str, reason: str, now: datetime, message_id: str = ""
) -> Subscriber | None:
    """Stop all mail to this address (hard bounce, complaint, staff). The delivery that
    bounced (by our Message-ID when known, else the address's latest) is marked bounced."""
    subscriber = Subscriber.objects.filter(email=rules.email_normalise(email)).first()
    if subscriber is None:
        return None
    if not subscriber.is_suppressed:
        subscriber.suppressed_at = now
        subscriber.suppression_reason = SuppressionReason(reason)
        subscriber.save(update_fields=["suppressed_at", "suppression_reason"])
        logger.info("address suppressed: %s", reason)
    if reason in (SuppressionReason.HARD_BOUNCE, SuppressionReason.COMPLAINT):
        deliveries = Delivery.objects.filter(subscriber=subscriber, bounced_at__isnull=True)
        claim = tokens.message_id_read(message_id)
        if claim is not None and claim.subscriber_id == subscriber.pk:
            deliveries = deliveries.filter(issue_id=claim.issue_id)
        latest = (
            deliveries.filter(
                status__in=[
                    DeliveryStatus.SENT,
                    DeliveryStatus.UNCONFIRMED,
                    DeliveryStatus.FAILED,
                ]
            )
            .order_by("-issue_id")
            .first()
        )
        if latest is not None:
            Delivery.objects.filter(pk=latest.pk).update(bounced_at=now)
    return subscriber


# The newsroom


def digest_compose(*, newsletter: Newsletter, slot: datetime, now: datetime) -> Issue | None:
    """Compose the digest that goes out at `slot`: the period's most read, then the editors'
    picks. Scheduled at once if the newsletter sends automatically, else a draft. None when
    there is nothing to send or the slot's issue exists already."""
    start, end = rules.slot_period(slot=slot, weekday=newsletter.send_weekday)
    language = newsletter.language_code
    most_read = selectors.digest_most_read(
        language_code=language, since=start, until=end, limit=newsletter.digest_size
    )
    picks = selectors.digest_editor_picks(language_code=language)
    chosen = rules.digest_choose(most_read=most_read, picks=picks, limit=newsletter.digest_size)
    if not chosen:
        return None
    with translation.override(language):
        subject = _("%(newsletter)s: %(date)s") % {
            "newsletter": newsletter.name,
            "date": formats.date_format(slot, "DATE_FORMAT"),
        }
        intro = _("The stories our readers read most this week, and our editors' picks.")
    status = IssueStatus.SCHEDULED if newsletter.auto_send else IssueStatus.DRAFT
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                newsletter=newsletter,
                subject=subject[:200],
                intro=intro,
                status=status,
                scheduled_for=slot,
                period_start=start,
                period_end=end,
                composed_automatically=True,
            )
            IssueItem.objects.bulk_create(
                IssueItem(issue=issue, article_id=article_id, source=source, sort_order=order)
                for order, (article_id, source) in enumerate(chosen)
            )
    except IntegrityError:
        return None  # another tick composed this slot's issue first
    return issue


def digests_compose_due(*, now: datetime, ahead_hours: int) -> list[Issue]:
    """Compose each digest whose next slot is within `ahead_hours`; idempotent per slot."""
    composed = []
    for newsletter in Newsletter.objects.filter(
        is_active=True, kind="weekly_digest"
    ).select_related("locale"):
        slot = rules.next_slot(weekday=newsletter.send_weekday, at=newsletter.send_time, after=now)
        if slot - now > timedelta(hours=ahead_hours):
            continue
        if Issue.objects.filter(
            newsletter=newsletter, composed_automatically=True, period_end=slot
        ).exists():
            continue
        issue = digest_compose(newsletter=newsletter, slot=slot, now=now)
        if issue is not None:
            composed.append(issue)
    return composed


def _editable(issue_id: int) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue_id)
    if not issue.is_editable:
        raise IssueError(
            _("This issue is %(status)s and can no longer be changed.")
            % {"status": issue.get_status_display().lower()}
        )
    return issue


@transaction.atomic
def issue_schedule(*, issue_id: int, when: datetime, now: datetime) -> Issue:
    issue = _editable(issue_id)
    if when <= now:
        raise IssueError(_("Choose a time in the future, or send it now."))
    if not issue.items.exists():
        raise IssueError(_("Add at least one article before scheduling."))
    issue.status = IssueStatus.SCHEDULED
    issue.scheduled_for = when
    issue.save(update_fields=["status", "scheduled_for", "updated_at"])
    return issue


@transaction.atomic
def issue_unschedule(*, issue_id: int) -> Issue:
    issue = _editable(issue_id)
    issue.status = IssueStatus.DRAFT
    issue.save(update_fields=["status", "updated_at"])
    return issue


@transaction.atomic
def issue_cancel(*, issue_id: int) -> Issue:
    issue = _editable(issue_id)
    issue.status = IssueStatus.CANCELLED
    issue.save(update_fields=["status", "updated_at"])
    return issue


def issue_send_start(*, issue_id: int, now: datetime, user=None) -> bool:
    """Start sending: the issue moves to "sending" once (a conditional update, so two clicks
    or two ticks start one send) and a worker takes the recipients and sends. True if this
    call started it."""
    from .tasks import prepare_issue_send

    with transaction.atomic():
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            return False
        if issue.is_editable and not issue.items.exists():
            raise IssueError(_("Add at least one article before sending."))
        started = (
            Issue.objects.filter(
                pk=issue_id, status__in=[IssueStatus.DRAFT, IssueStatus.SCHEDULED]
            ).update(
                status=IssueStatus.SENDING,
                send_started_at=now,
                send_requested_by=user if user is not None and user.pk else None,
            )
            == 1
        )
        if started:
            transaction.on_commit(lambda: prepare_issue_send.enqueue(issue_id=issue_id))
    return started


def issues_start_due(*, now: datetime) -> list[int]:
    due = Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_for__lte=now)
    started = []
    for issue_id in due.values_list("pk", flat=True):
        try:
            if issue_send_start(issue_id=issue_id, now=now):
                started.append(issue_id)
        except IssueError as error:
            logger.warning("scheduled issue %s not sent: %s", issue_id, error)
            Issue.objects.filter(pk=issue_id, status=IssueStatus.SCHEDULED).update(
                status=IssueStatus.DRAFT
            )
    return started


# Unconfirmed deliveries: handed to the mail server, its answer never recorded (a worker or
# the server died in between). Staff look at the mail server's log (by Message-ID) and resend
# or mark them received.

RESOLVE_PERMISSION = "newsletters.change_issue"


def _unconfirmed_locked(*, issue_id: int, delivery_ids: list[int], user, **only) -> list[int]:
    if user is not None and not user.has_perm(RESOLVE_PERMISSION):
        raise PermissionDenied
    return list(
        Delivery.objects.select_for_update()
        .filter(issue_id=issue_id, pk__in=delivery_ids, status=DeliveryStatus.UNCONFIRMED)
        .filter(**only)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _staff_audit(*, action: str, issue_id: int, ids: list[int], user, now: datetime) -> None:
    audit_record(
        action=action,
        actor=user,
        actor_kind=ActorKind.STAFF if user is not None else ActorKind.SYSTEM,
        target=f"issue:{issue_id}",
        data={"deliveries": ids},
        now=now,
    )


def deliveries_resend(*, issue_id: int, delivery_ids: list[int], user, now: datetime) -> int:
    """Send these unconfirmed messages once more, through the normal send: they go back to
    pending in batches of their own, which workers claim like any other, and their outcome is
    recorded as usual. A message is resent once at most (`resent_at`); it keeps its Message-ID,
    so a receiving system that did get the first copy can drop the second. Returns how many."""
    from .tasks import send_resume

    with transaction.atomic():
        # The issue's row lock serialises two resends of one issue (their batch numbers).
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.snapshot_at is None:
            raise IssueError(_("This issue has not been sent."))
        ids = _unconfirmed_locked(
            issue_id=issue_id, delivery_ids=delivery_ids, user=user, resent_at__isnull=True
        )
        if not ids:
            return 0
        number = (issue.batches.aggregate(last=Max("number"))["last"] or 0) + 1
        size = max(1, settings.NEWSLETTERS_BATCH_SIZE)
        for start in range(0, len(ids), size):
            batch = Batch.objects.create(issue=issue, number=number)
            Delivery.objects.filter(pk__in=ids[start : start + size]).update(
                status=DeliveryStatus.PENDING,
                batch=batch,
                resent_at=now,
                next_attempt_at=None,
                finished_at=None,
            )
            number += 1
        _staff_audit(
            action="newsletters.deliveries_resent", issue_id=issue_id, ids=ids, user=user, now=now
        )
        transaction.on_commit(lambda: send_resume(issue_id=issue_id))
    return len(ids)


@transaction.atomic
def deliveries_mark_received(*, issue_id: int, delivery_ids: list[int], user, now: datetime) -> int:
    """Staff found these unconfirmed messages in the mail server's log: they count as sent.
    The server's last words are kept after a note. Returns how many."""
    ids = _unconfirmed_locked(issue_id=issue_id, delivery_ids=delivery_ids, user=user)
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.SENT,
        error=Left(
            Concat(Value("marked received by staff; "), F("error"), output_field=CharField()),
            300,
        ),
    )
    _staff_audit(
        action="newsletters.deliveries_marked_received",
        issue_id=issue_id,
        ids=ids,
        user=user,
        now=now,
    )
    return len(ids)


# Newsletter permissions each newsroom group gets (the groups are newsroom.services' roles).
GROUP_PERMISSIONS = {
    "Editors": [
        "view_newsletter",
        "add_issue",
        "change_issue",
        "view_issue",
        "view_subscriber",
    ],
    "Admins": [
        "add_newsletter",
        "change_newsletter",
        "view_newsletter",
        "add_issue",
        "change_issue",
        "delete_issue",
        "view_issue",
        "change_subscriber",
        "view_subscriber",
    ],
}


@transaction.atomic
def newsletters_setup(*, editions) -> list[Newsletter]:
    """A weekly digest for every edition that has none, named in the edition's language, and
    the newsroom groups' permissions; idempotent."""
    created = []
    for edition in editions:
        language = edition.locale.language_code
        if Newsletter.objects.filter(locale=edition.locale, kind="weekly_digest").exists():
            continue
        with translation.override(language):
            created.append(
                Newsletter.objects.create(
                    locale=edition.locale,
                    name=_("The Weekly Digest"),
                    slug="weekly",
                    kind="weekly_digest",
                    description=_(
                        "The week's most read stories and our editors' picks, every Monday."
                    ),
                    send_weekday=0,
                )
            )
    for group_name, codenames in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="newsletters", codename__in=codenames
                )
            )
    return created


def newsletter_changed(*, newsletter: Newsletter) -> None:
    """An editor changed a newsletter: the signup box on every article page of its edition
    shows it, so drop the cached box and purge the edition's cached pages (after commit)."""
    language = newsletter.language_code.lower()
    cache.delete(selectors.signup_box_cache_key(language))
    transaction.on_commit(lambda: page_cache_purge(scopes=[language]))
