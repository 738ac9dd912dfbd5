"""Sending an issue: take the recipients, split them into batches, send each batch once.

The steps, each safe to run again after a crash:
1. issue_prepare: in one transaction, render the issue once and snapshot the recipients
   (confirmed, not suppressed) into deliveries grouped in batches. Runs once per issue.
2. issue_deliver (as many workers as configured): claim a batch, reconcile what a dead worker
   left in it, send its messages over one reused connection, record each outcome; repeat.
3. issue_finish_if_done: the issue is sent when no batch is left; its archive page appears.
4. issue_send_revive (the watchdog task and `manage.py newsletters_tick`): start workers again
   for a send whose workers died.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from . import claims, rendering, rules, services, tokens
from .models import (
    Batch,
    BatchStatus,
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscription,
    SubscriptionStatus,
    SuppressionReason,
)
from .stopping import stop_requested
from .transports import DEFERRED, FAILED, SENT, TAKEN, UNKNOWN, Outgoing, transport_open

logger = logging.getLogger(__name__)

# Accepted messages are recorded in bulk: in the commit of the next group's hand-over, else every
# this many messages or seconds, and at the end of a batch.
FLUSH_EVERY = 50
FLUSH_SECONDS = 0.5


def _now() -> datetime:
    return timezone.now()


def _lease() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTERS_LEASE_SECONDS)


def issue_prepare(*, issue_id: int, now: datetime | None = None) -> bool:
    """Render the issue and snapshot its recipients; False if already done or not sending."""
    now = now or _now()
    batch_size = max(1, settings.NEWSLETTERS_BATCH_SIZE)
    with transaction.atomic():
        issue = (
            Issue.objects.select_for_update()
            .select_related("newsletter__locale")
            .filter(pk=issue_id)
            .first()
        )
        if issue is None or issue.status != IssueStatus.SENDING or issue.snapshot_at:
            return False
        rendered = rendering.issue_render(issue=issue)
        recipients = (
            Subscription.objects.filter(
                newsletter_id=issue.newsletter_id,
                status=SubscriptionStatus.CONFIRMED,
                subscriber__suppressed_at__isnull=True,
            )
            .order_by("subscriber_id")
            .values_list("subscriber_id", "subscriber__email")
        )
        total = 0
        chunk: list[tuple[int, str]] = []
        domain = rendering.sender_domain(issue.newsletter)

        def flush(number: int) -> None:
            batch = Batch.objects.create(issue=issue, number=number)
            Delivery.objects.bulk_create(
                Delivery(
                    issue=issue,
                    subscriber_id=sid,
                    email=email,
                    batch=batch,
                    message_id=tokens.message_id_make(
                        issue_id=issue.pk, subscriber_id=sid, domain=domain
                    ),
                )
                for sid, email in chunk
            )

        for row in recipients.iterator(chunk_size=2000):
            chunk.append(row)
            if len(chunk) == batch_size:
                flush(total // batch_size)
                total += len(chunk)
                chunk = []
        if chunk:
            flush(total // batch_size)
            total += len(chunk)
        issue.rendered_subject = rendered.subject
        issue.rendered_html = rendered.html
        issue.rendered_text = rendered.text
        issue.recipient_count = total
        issue.snapshot_at = now
        issue.save(
            update_fields=[
                "rendered_subject",
                "rendered_html",
                "rendered_text",
                "recipient_count",
                "snapshot_at",
                "updated_at",
            ]
        )
    logger.info("issue %s: %s recipients in batches of %s", issue_id, total, batch_size)
    return True


@dataclass
class DeliverStats:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    unconfirmed: int = 0
    batches: int = 0
    retry_at: datetime | None = None
    stopped: bool = False  # the worker was asked to stop; the rest is left to others


class _Pacer:
    """Holds one worker to `rate` messages a second (0: no limit). The clock and the sleep are
    seams, so that a test can hold the pace to account without waiting for it."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self.next_at = clock()

    def wait(self) -> None:
        if not self.interval:
            return
        now = self._clock()
        if self.next_at > now:
            self._sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


@dataclass
class _Outcomes:
    """Sent messages recorded in bulk; anything else recorded at once."""

    sent_ids: list[int] = field(default_factory=list)
    flushed_at: float = field(default_factory=time.monotonic)

    def flush(self) -> None:
        if self.sent_ids:
            claims.deliveries_record_sent(delivery_ids=self.sent_ids, now=_now())
            self.sent_ids = []
        self.flushed_at = time.monotonic()

    def due(self) -> bool:
        return len(self.sent_ids) >= FLUSH_EVERY or (
            time.monotonic() - self.flushed_at >= FLUSH_SECONDS
        )


def _record_problems(*, problems: list, stats: DeliverStats) -> None:
    """Record a group's refusals: one UPDATE per kind of outcome (a provider's batch call
    can defer or fail hundreds at once), in the caller's transaction."""
    now = _now()
    open_states = [DeliveryStatus.PENDING, DeliveryStatus.DEFERRED, DeliveryStatus.HANDED_OVER]
    max_tries = 1 + settings.NEWSLETTERS_SOFT_RETRIES
    kinds: dict[tuple, list[dict]] = {}
    for row, result in problems:
        tries = row["attempts"] + 1
        error = result.error[:300]
        if result.outcome == UNKNOWN:
            kind = (UNKNOWN, None, error, tries, False)
        elif result.outcome == DEFERRED and tries < max_tries:
            kind = (DEFERRED, result.code, error, tries, False)
        else:
            error = error or "too many temporary failures"
            kind = (FAILED, result.code, error, tries, result.hard_bounce)
        kinds.setdefault(kind, []).append(row)
    for (outcome, code, error, tries, hard_bounce), rows in kinds.items():
        ids = [row["pk"] for row in rows]
        if outcome == UNKNOWN:
            Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.HANDED_OVER).update(
                status=DeliveryStatus.UNCONFIRMED, finished_at=now, error=error
            )
            stats.unconfirmed += len(ids)
        elif outcome == DEFERRED:
            retry_at = now + rules.retry_delay(
                attempts=tries, base_seconds=settings.NEWSLETTERS_RETRY_SECONDS
            )
            Delivery.objects.filter(pk__in=ids, status__in=open_states).update(
                status=DeliveryStatus.DEFERRED,
                attempts=tries,
                next_attempt_at=retry_at,
                smtp_code=code,
                error=error,
            )
            stats.deferred += len(ids)
        else:
            Delivery.objects.filter(pk__in=ids, status__in=open_states).update(
                status=DeliveryStatus.FAILED,
                attempts=tries,
                finished_at=now,
                smtp_code=code,
                error=error,
                bounced_at=now if hard_bounce else None,
            )
            stats.failed += len(ids)
            if hard_bounce:
                for row in rows:
                    services.subscriber_suppress(
                        email=row["email"], reason=SuppressionReason.HARD_BOUNCE, now=now
                    )


def _outgoing(messages, template: bytes | None, row: Mapping, kind: str) -> Outgoing:
    who = {
        "subscriber_id": row["subscriber_id"],
        "email": row["email"],
        "message_id": row["message_id"],  # made once, at the snapshot
    }
    if kind == "provider":
        # The provider builds each message from the batch's body and these personal parts.
        return Outgoing(recipient=row["email"], personal=messages.personal(**who))
    data = None
    if template is not None:
        data = messages.smtp_bytes(template, **who)
    if data is not None:
        return Outgoing(recipient=row["email"], data=data)
    return Outgoing(recipient=row["email"], message=messages.build(**who))


def _batch_send(*, batch: Batch, messages, transport, pacer, stats: DeliverStats) -> bool:
    """Send what is left of a claimed batch. False when the worker was asked to stop: the
    groups sent so far are recorded and the batch is given back (pending) for another."""
    now = _now()
    lease = _lease()
    claims.batch_reconcile(batch=batch, now=now)
    todo = Delivery.objects.filter(
        batch=batch, status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEFERRED]
    )
    # Whoever stopped reading after the snapshot (unsubscribed, suppressed) is not sent to.
    still_wanted = Subscription.objects.filter(
        subscriber_id=OuterRef("subscriber_id"),
        newsletter_id=messages.newsletter_id,
        status=SubscriptionStatus.CONFIRMED,
    )
    gone = todo.filter(~Exists(still_wanted) | Q(subscriber__suppressed_at__isnull=False))
    Delivery.objects.filter(pk__in=list(gone.values_list("pk", flat=True))).update(
        status=DeliveryStatus.SKIPPED, finished_at=now
    )
    rows = list(
        todo.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values("pk", "subscriber_id", "email", "attempts", "message_id")
    )
    outcomes = _Outcomes()
    group_size = max(1, transport.size)
    template = messages.smtp_template() if transport.wants_bytes else None
    kind = getattr(transport, "kind", "")
    renewed_at = time.monotonic()

    def hand_over(ids, then):
        # The earlier groups' accepted messages are recorded in the hand-over's commit.
        sent = list(outcomes.sent_ids)
        claimed = claims.deliveries_hand_over(
            delivery_ids=ids, now=_now(), then=then, sent_ids=sent
        )
        del outcomes.sent_ids[: len(sent)]
        return claimed

    stopped = False
    try:
        for start in range(0, len(rows), group_size):
            # Between two groups nothing is handed over: the place to stop.
            if stop_requested():
                stopped = True
                break
            group = rows[start : start + group_size]
            built = {}
            for row in group:
                if stop_requested():
                    break  # a slow pace makes a long group; nothing of it is handed over yet
                pacer.wait()
                built[row["pk"]] = _outgoing(messages, template, row, kind)
            if len(built) < len(group):
                stopped = True
                break
            results = transport.deliver_group(
                envelope_from=messages.envelope_from, messages=built, hand_over=hand_over
            )
            problems = []
            for row in group:
                result = results[row["pk"]]
                if result.outcome == SENT:
                    outcomes.sent_ids.append(row["pk"])
                    stats.sent += 1
                elif result.outcome != TAKEN:
                    problems.append((row, result))
            if problems:
                # One commit for the group's refusals, straight after the replies: until it
                # lands, a refused message looks handed over and would not be retried.
                with transaction.atomic():
                    _record_problems(problems=problems, stats=stats)
            if outcomes.due():
                outcomes.flush()
            if time.monotonic() - renewed_at >= lease.total_seconds() / 4:
                claims.batch_renew(batch=batch, now=_now(), lease=lease)
                renewed_at = time.monotonic()
    finally:
        outcomes.flush()
    if stopped:
        claims.batch_release(batch=batch, not_before=None)
        return False
    retry_at = Delivery.objects.filter(batch=batch, status=DeliveryStatus.DEFERRED).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if retry_at is not None:
        claims.batch_release(batch=batch, not_before=retry_at)
    else:
        claims.batch_finish(batch=batch, now=_now())
    stats.batches += 1
    return True


def issue_has_work(*, issue: Issue) -> bool:
    """An issue is sent while it is "sending", and again while messages that staff resend
    wait in its batches (delivery.py's steps do not care which)."""
    if issue.status == IssueStatus.SENDING:
        return True
    return (
        issue.status == IssueStatus.SENT
        and Batch.objects.filter(
            issue=issue, status__in=[BatchStatus.PENDING, BatchStatus.SENDING]
        ).exists()
    )


def _sleep_unless_stopped(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stop_requested() and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


def issue_deliver(*, issue_id: int) -> DeliverStats:
    """Work on an issue's batches until none is left to claim (one worker's share), or until
    the worker is asked to stop (stopping.py): then `stats.stopped`."""
    stats = DeliverStats()
    issue = Issue.objects.select_related("newsletter__locale").filter(pk=issue_id).first()
    if issue is None or issue.snapshot_at is None or not issue_has_work(issue=issue):
        return stats
    messages = rendering.IssueMessages(issue)
    workers = max(1, settings.NEWSLETTERS_WORKERS_PER_SEND)
    pacer = _Pacer(settings.NEWSLETTERS_SEND_RATE / workers)
    transport = transport_open(messages)
    try:
        while not stop_requested():
            batch = claims.batch_claim_next(issue_id=issue_id, now=_now(), lease=_lease())
            if batch is None:
                stats.retry_at = _next_retry(issue_id=issue_id)
                if stats.retry_at is None or stats.retry_at - _now() > timedelta(seconds=5):
                    break
                _sleep_unless_stopped((stats.retry_at - _now()).total_seconds())
                continue
            try:
                _batch_send(
                    batch=batch, messages=messages, transport=transport, pacer=pacer, stats=stats
                )
            except claims.LeaseLostError:
                logger.warning("issue %s: batch %s was taken over", issue_id, batch.number)
        stats.stopped = stop_requested()
    finally:
        transport.close()
    if stats.stopped:
        logger.warning("issue %s: worker asked to stop; its batch is given back", issue_id)
    issue_finish_if_done(issue_id=issue_id)
    return stats


def _next_retry(*, issue_id: int) -> datetime | None:
    return Batch.objects.filter(issue_id=issue_id, status=BatchStatus.PENDING).aggregate(
        at=Min("not_before")
    )["at"]


def issue_finish_if_done(*, issue_id: int) -> bool:
    """Mark the issue sent once no batch is left; True for the call that did it."""
    from broadsheet.pagecache.services import page_cache_purge

    if Batch.objects.filter(
        issue_id=issue_id, status__in=[BatchStatus.PENDING, BatchStatus.SENDING]
    ).exists():
        return False
    with transaction.atomic():
        finished = (
            Issue.objects.filter(
                pk=issue_id, status=IssueStatus.SENDING, snapshot_at__isnull=False
            ).update(status=IssueStatus.SENT, send_finished_at=_now())
            == 1
        )
        if finished:
            language = (
                Issue.objects.filter(pk=issue_id)
                .values_list("newsletter__locale__language_code", flat=True)
                .get()
                .lower()
            )
            # The archive pages list the new issue.
            transaction.on_commit(lambda: page_cache_purge(scopes=[language]))
    return finished


@dataclass(frozen=True)
class Revival:
    prepare: bool = False
    deliver: bool = False


def issue_send_needs(*, issue: Issue, now: datetime) -> Revival:
    """What a send in progress needs from the watchdog: preparing again (its preparation died)
    or workers (batches wait and nobody holds a live lease on any)."""
    if not issue_has_work(issue=issue):
        return Revival()
    lease = _lease()
    if issue.snapshot_at is None:
        started = issue.send_started_at or now
        return Revival(prepare=now - started >= lease)
    batches = Batch.objects.filter(issue=issue)
    if not claims.claimable_batches(issue_id=issue.pk, now=now).exists():
        return Revival()
    someone_working = batches.filter(status=BatchStatus.SENDING, lease_expires_at__gt=now).exists()
    expired = batches.filter(status=BatchStatus.SENDING, lease_expires_at__lte=now).exists()
    return Revival(deliver=expired or not someone_working)
