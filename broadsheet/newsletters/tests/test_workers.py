"""Real workers (`manage.py db_worker`, PostgreSQL) and a real SMTP server (aiosmtpd):

- a sending worker given SIGTERM stops within a few groups, records what it sent and gives
  its batch back; the next worker finishes the send, and everyone got exactly one message;
- confirmation emails go out from the "default" queue's worker while a newsletter send waits
  on, or runs in, the "newsletters" queue.
"""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from broadsheet.newsletters import services
from broadsheet.newsletters.models import Batch, Delivery, DeliveryStatus, Issue, IssueStatus

from .conftest import issue_create, subscribers_confirm
from .smtp_sink import SinkHandler, SMTPSink
from .worker_processes import DATABASE_TASKS, worker_start

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="db_worker processes must share the test database: run on PostgreSQL",
    ),
]

# Generous bounds for a loaded machine: how long a worker may take to notice and exit, and how
# long to wait for a send or an email. Waits end as soon as the condition holds.
EXIT_TIMEOUT = 60
WAIT_TIMEOUT = 120


def _wait_for(predicate, what: str, logs) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{logs()}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def _logs(tmp_path):
    return lambda: "\n".join(
        p.read_text(errors="replace")[-3000:] for p in sorted(tmp_path.glob("*.log"))
    )


def test_sigterm_stops_a_sending_worker_and_the_next_one_finishes(
    tmp_path, settings, en_digest, en_articles
):
    settings.TASKS = DATABASE_TASKS
    recipients = 1_500
    subscribers = subscribers_confirm(newsletter=en_digest, count=recipients, prefix="t")
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    handler = SinkHandler(keep_content=False)
    logs = _logs(tmp_path)
    # Paced, so that the send is far from done when the signal comes.
    # A group is one message per SMTP connection: between two groups is where a worker stops.
    group = 10
    env = {
        "NEWSLETTERS_SEND_RATE": "300",
        "NEWSLETTERS_WORKERS_PER_SEND": "1",
        "NEWSLETTERS_SMTP_CONNECTIONS": str(group),
    }
    with SMTPSink(handler) as sink:
        first = worker_start(
            log=tmp_path / "first.log",
            queue="newsletters",
            worker_id="first",
            smtp_port=sink.port,
            **env,
        )
        second = None
        try:
            assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
            _wait_for(lambda: len(handler.received) >= 200, "the send to be under way", logs)

            at_signal = len(handler.received)
            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=EXIT_TIMEOUT) == 0  # it left, and cleanly

            received = len(handler.received)
            # It stopped sending at once: at most the group it had handed over went out after
            # the signal (counted, not timed: "within a few seconds" follows from the pace).
            assert received - at_signal <= group, (at_signal, received)
            # Nothing lost: what it sent is recorded, nothing is left half-way, the batch is
            # back for another worker, and the issue is still being sent.
            by_status = dict(
                Delivery.objects.filter(issue=issue).values_list("status").annotate(n=Count("pk"))
            )
            assert by_status == {
                DeliveryStatus.SENT: received,
                DeliveryStatus.PENDING: recipients - received,
            }
            assert not Batch.objects.filter(issue=issue, status="sending").exists()
            assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING

            second = worker_start(
                log=tmp_path / "second.log",
                queue="newsletters",
                worker_id="second",
                smtp_port=sink.port,
                **env,
            )
            _wait_for(
                lambda: Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT,
                "the next worker to finish the send",
                logs,
            )
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=EXIT_TIMEOUT) == 0
        finally:
            _stop(first)
            if second is not None:
                _stop(second)
    assert handler.count_by_recipient() == {s.email: 1 for s in subscribers}
    assert set(Delivery.objects.filter(issue=issue).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


def test_confirmations_never_wait_behind_a_newsletter_send(
    tmp_path, settings, en_digest, en_articles
):
    settings.TASKS = DATABASE_TASKS
    subscribers_confirm(newsletter=en_digest, count=2_000, prefix="q")
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    handler = SinkHandler(keep_content=False)
    logs = _logs(tmp_path)

    def confirmation_to(address: str) -> bool:
        return handler.count_by_recipient()[address] == 1

    def sign_up(address: str) -> None:
        services.subscriber_signup(
            email=address,
            newsletters=[en_digest],
            language="en-us",
            source="test",
            now=timezone.now(),
        )

    with SMTPSink(handler) as sink:
        default = worker_start(
            log=tmp_path / "default.log", queue="default", worker_id="default", smtp_port=sink.port
        )
        sending = None
        try:
            # A big send waits in its queue (no newsletter worker yet): a reader's
            # confirmation goes out all the same.
            assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
            sign_up("waiting@example.com")
            _wait_for(lambda: confirmation_to("waiting@example.com"), "the confirmation", logs)
            assert Issue.objects.get(pk=issue.pk).snapshot_at is None  # the send still waits

            # And while the send runs on its own worker.
            sending = worker_start(
                log=tmp_path / "sending.log",
                queue="newsletters",
                worker_id="sending",
                smtp_port=sink.port,
                NEWSLETTERS_SEND_RATE="200",
            )
            _wait_for(lambda: len(handler.received) >= 100, "the send to be under way", logs)
            sign_up("running@example.com")
            _wait_for(lambda: confirmation_to("running@example.com"), "the confirmation", logs)
        finally:
            for process in (default, sending):
                if process is not None:
                    _stop(process)
    ran_on = {
        (task.task_path.rpartition(".")[2], task.queue_name, tuple(task.worker_ids))
        for task in DBTaskResult.objects.all()
    }
    assert ("send_confirmation_email", "default", ("default",)) in ran_on
    assert {name for name, queue, _w in ran_on if queue == "newsletters"} >= {
        "prepare_issue_send",
        "deliver_issue",
    }
    assert all(w in (("sending",), ()) for _n, queue, w in ran_on if queue == "newsletters")
