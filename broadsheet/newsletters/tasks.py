"""Background work of the newsletters (django_tasks; run by `manage.py db_worker`).

A send's tasks (prepare, deliver, watch) go to the "newsletters" queue, so that a send of a
million messages never holds up what readers wait for: confirmation emails, account emails
and cache purges stay on "default", each queue with workers of its own (docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from . import delivery, emails, services
from .models import BatchStatus, Issue, IssueStatus
from .stopping import stop_on_signals

# Bulk sending; everything else of the app stays on django_tasks' "default" queue.
SEND_QUEUE = "newsletters"

logger = logging.getLogger(__name__)


def _can_defer() -> bool:
    return deliver_issue.get_backend().supports_defer


@task()
def send_confirmation_email(*, subscriber_id: int) -> bool:
    return emails.confirmation_send(subscriber_id=subscriber_id)


@task()
def send_test_issue(*, issue_id: int, email: str) -> None:
    emails.issue_test_send(issue_id=issue_id, email=email)


def workers_start(*, issue_id: int) -> None:
    for _worker in range(max(1, settings.NEWSLETTERS_WORKERS_PER_SEND)):
        deliver_issue.enqueue(issue_id=issue_id)


def send_resume(*, issue_id: int) -> None:
    """Staff resent some messages of an issue: a worker and a watchdog for them."""
    deliver_issue.enqueue(issue_id=issue_id)
    watchdog_schedule(issue_id=issue_id)


def watchdog_schedule(*, issue_id: int) -> None:
    if _can_defer():
        run_after = timezone.now() + delivery._lease()
        watch_issue_send.using(run_after=run_after).enqueue(issue_id=issue_id)


@task(queue_name=SEND_QUEUE)
def prepare_issue_send(*, issue_id: int) -> bool:
    prepared = delivery.issue_prepare(issue_id=issue_id)
    if prepared:
        watchdog_schedule(issue_id=issue_id)
        workers_start(issue_id=issue_id)
    return prepared


@task(queue_name=SEND_QUEUE)
def deliver_issue(*, issue_id: int) -> dict:
    with stop_on_signals():
        stats = delivery.issue_deliver(issue_id=issue_id)
    if stats.stopped and _can_defer():
        # This worker is going away: the next one carries on at once, not at the watchdog.
        deliver_issue.enqueue(issue_id=issue_id)
    elif stats.retry_at is not None and _can_defer():
        # Deferred messages wait for their retry time in the queue, not in a worker.
        deliver_issue.using(run_after=stats.retry_at).enqueue(issue_id=issue_id)
    return {
        "sent": stats.sent,
        "failed": stats.failed,
        "batches": stats.batches,
        "stopped": stats.stopped,
    }


@task(queue_name=SEND_QUEUE)
def watch_issue_send(*, issue_id: int) -> str:
    """Every lease period while an issue sends: if its workers died, start new ones.

    The next watch is queued first, so that a worker killed while running this one does not
    end the chain; `manage.py newsletters_tick` (cron) does the same as a second line.
    """
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None or not delivery.issue_has_work(issue=issue):
        return "done"
    watchdog_schedule(issue_id=issue_id)
    return _revive(issue=issue, now=timezone.now())


def _revive(*, issue: Issue, now: datetime) -> str:
    needs = delivery.issue_send_needs(issue=issue, now=now)
    if needs.prepare:
        logger.warning("issue %s: preparing again", issue.pk)
        prepare_issue_send.enqueue(issue_id=issue.pk)
        return "prepare"
    if needs.deliver:
        logger.warning("issue %s: starting workers again", issue.pk)
        workers_start(issue_id=issue.pk)
        return "deliver"
    delivery.issue_finish_if_done(issue_id=issue.pk)
    return "ok"


def newsletters_tick(*, now: datetime | None = None) -> dict:
    """Everything time-driven, idempotent, run every minute: compose the coming digests,
    start the issues that are due, revive sends whose workers died."""
    now = now or timezone.now()
    composed = services.digests_compose_due(
        now=now, ahead_hours=settings.NEWSLETTERS_COMPOSE_AHEAD_HOURS
    )
    started = services.issues_start_due(now=now)
    revived = {}
    resending = Q(
        status=IssueStatus.SENT, batches__status__in=[BatchStatus.PENDING, BatchStatus.SENDING]
    )
    in_progress = Issue.objects.filter(Q(status=IssueStatus.SENDING) | resending).distinct()
    for issue in in_progress.exclude(pk__in=started):
        revived[issue.pk] = _revive(issue=issue, now=now)
    return {"composed": [i.pk for i in composed], "started": started, "revived": revived}


@task()
def run_newsletters_tick() -> dict:
    result = newsletters_tick()
    return {
        key: value if key != "revived" else {str(k): v for k, v in value.items()}
        for key, value in result.items()
    }
