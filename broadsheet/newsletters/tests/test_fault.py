"""A send killed half way, three times, then restarted: nobody gets an issue twice.

Real `manage.py db_worker` processes (the production task backend) on PostgreSQL send to a
real SMTP server in this process (or, in the provider test, to the stand-in of a provider's
batch API, through anymail); the test SIGKILLs them at random points. PostgreSQL only:
the processes must share the test database, which SQLite's in-memory test database cannot.

The guarantee checked (docs/newsletters.md): no recipient ever receives a message twice, and
every recipient receives it, except messages of the group a worker was completing when it was
killed, in the instant between recording the hand-over and writing the messages' last lines,
or while it waited for (or recorded) the server's answers if those were refusals (4xx). Such
messages are recorded as "unconfirmed", never silently. The test prints how many there were
(usually none without refusals) and fails if a missing message is not among the unconfirmed,
or if more were missing than one group per killed worker.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from broadsheet.newsletters import services
from broadsheet.newsletters.models import (
    Delivery,
    DeliveryStatus,
    Issue,
    IssueStatus,
    Subscriber,
)

from .conftest import issue_create, subscribers_confirm
from .provider_standin import ProviderStandIn, StandInState
from .smtp_sink import SinkHandler, SMTPSink

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the fault test runs db_worker processes that must share the test database: "
        "run it on PostgreSQL (DATABASE_URL=postgres://...)",
    ),
]

ROOT = Path(settings.BASE_DIR)
WORKERS = 2
KILLS = int(os.environ.get("NEWSLETTERS_FAULT_KILLS", "3"))
DEADLINE_SECONDS = 80
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    def __init__(self, tmp_path: Path, smtp_port: int, **extra_env: str):
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "broadsheet.newsletters.tests.worker_settings",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DATABASE_URL": _database_url(),
            "NEWSLETTERS_TEST_SMTP_PORT": str(smtp_port),
            **extra_env,
        }
        self.processes: list[subprocess.Popen] = []
        self.started = 0

    def start(self) -> None:
        for _ in range(WORKERS):
            self.started += 1
            log = open(self.tmp_path / f"worker-{self.started}.log", "wb")
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "db_worker",
                        "--queue-name",
                        "newsletters",
                        "--interval",
                        "0.1",
                        "--no-startup-delay",
                        "--worker-id",
                        f"fault-{self.started}",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def kill(self) -> int:
        killed = 0
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait(timeout=10)
        self.processes = []
        return killed

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp_path.glob("*.log"))
        )


def _wait_for(predicate, *, timeout: float, workers: Workers, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")
        time.sleep(0.02)


def _run_killed_send(
    *,
    tmp_path,
    newsletter,
    articles,
    recipients: int,
    handler: SinkHandler | StandInState,
    seed: int,
    **env,
):
    rng = random.Random(seed)
    print(f"fault test seed {seed}")
    subscribers = subscribers_confirm(newsletter=newsletter, count=recipients, prefix="f")
    expected = {s.email for s in subscribers}
    issue = issue_create(newsletter=newsletter, articles=articles)
    if isinstance(handler, StandInState):
        server = ProviderStandIn(handler)
        env = {"NEWSLETTERS_TEST_PROVIDER_URL": server.url, **env}
    else:
        server = SMTPSink(handler)
    with server:
        workers = Workers(tmp_path, server.port, **env)
        killed_workers = 0
        try:
            began = time.monotonic()
            workers.start()
            assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
            # Kill at three random points of the send, spread over it.
            marks = sorted(rng.uniform(0.05, 0.85) for _ in range(KILLS))
            for mark in marks:
                target = int(mark * recipients)
                _wait_for(
                    lambda target=target: len(handler.received) >= target,
                    timeout=DEADLINE_SECONDS,
                    workers=workers,
                    what=f"{target} messages",
                )
                time.sleep(rng.uniform(0, 0.05))  # anywhere in the code, not just after a message
                killed_workers += workers.kill()
                print(f"killed at {len(handler.received)} at {time.monotonic() - began:.1f}s")
                workers.start()
            print(f"progress {len(handler.received)} at {time.monotonic() - began:.1f}s")
            _wait_for(
                lambda: Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT,
                timeout=DEADLINE_SECONDS,
                workers=workers,
                what="the send to finish",
            )
            print(f"finished at {time.monotonic() - began:.1f}s")
        finally:
            workers.kill()
    return issue, expected, killed_workers


def _check_exactly_once(
    *, issue, expected, handler, killed_workers, refused=frozenset(), group=None
):
    counts = handler.count_by_recipient()
    twice = {rcpt: n for rcpt, n in counts.items() if n > 1}
    assert not twice, f"sent more than once: {list(twice.items())[:10]}"
    assert set(counts) <= expected
    # Each recipient's message carried its own Message-ID, the same on every attempt.
    ids = {r.message_id for r in handler.received}
    assert len(ids) == len(handler.received)
    missing = expected - set(counts) - refused
    unconfirmed = set(
        Delivery.objects.filter(issue=issue, status=DeliveryStatus.UNCONFIRMED).values_list(
            "email", flat=True
        )
    )
    print(
        f"recipients {len(expected)}, received {len(counts)}, missing {len(missing)}, "
        f"unconfirmed {len(unconfirmed)}, workers killed {killed_workers}; "
        f"missing: {sorted(missing, key=lambda e: int(e.split('-')[0][1:]))[:20]}"
    )
    assert missing <= unconfirmed, f"lost without a trace: {sorted(missing - unconfirmed)[:10]}"
    # Only the group a worker was completing when it died can be lost.
    assert len(missing) <= killed_workers * (group or settings.NEWSLETTERS_SMTP_CONNECTIONS)
    statuses = set(Delivery.objects.filter(issue=issue).values_list("status", flat=True))
    assert statuses <= {DeliveryStatus.SENT, DeliveryStatus.UNCONFIRMED, DeliveryStatus.FAILED}


def test_a_send_killed_three_times_delivers_each_message_once(
    tmp_path, settings, en_digest, en_articles
):
    settings.TASKS = DATABASE_TASKS
    handler = SinkHandler(keep_content=False)
    issue, expected, killed = _run_killed_send(
        tmp_path=tmp_path,
        newsletter=en_digest,
        articles=en_articles,
        recipients=10_000,
        handler=handler,
        seed=int(os.environ.get("NEWSLETTERS_FAULT_SEED", random.randrange(1_000_000))),
        NEWSLETTERS_LEASE_SECONDS="2",
        NEWSLETTERS_BATCH_SIZE="250",
    )
    _check_exactly_once(issue=issue, expected=expected, handler=handler, killed_workers=killed)
    assert Issue.objects.get(pk=issue.pk).recipient_count == 10_000


def _number(rcpt: str) -> int:
    return int(rcpt.split("-")[0][1:])


def test_killed_while_the_server_refuses_some(tmp_path, settings, en_digest, en_articles):
    """4xx, then 5xx: each recipient ends with exactly one message, or a recorded failure.

    - every 7th recipient is told "try later" (451) after the whole message, twice, then
      accepted: retried later, received once;
    - every 13th is told "try later" (450) at RCPT once: retried, received once;
    - every 50th is refused for good at RCPT (550, a hard bounce): failed, suppressed;
    - every 37th is refused for good after the data (554, not a bounce): failed, still
      subscribed.
    A kill in the one window that cannot be closed over SMTP (after the final "." of a
    message, before its refusal is recorded) leaves that message "unconfirmed": recorded,
    not retried; the test prints how many, and bounds them by one group per killed worker.
    """
    settings.TASKS = DATABASE_TASKS

    def at_rcpt(rcpt: str, attempt: int) -> str | None:
        if _number(rcpt) % 50 == 11:
            return "550 5.1.1 No such user"
        if _number(rcpt) % 13 == 5 and attempt == 1:
            return "450 4.2.1 Mailbox busy, try later"
        return None

    def after_data(rcpt: str, attempt: int) -> str | None:
        if _number(rcpt) % 37 == 2:
            return "554 5.7.1 Message refused"
        if _number(rcpt) % 7 == 3 and attempt <= 2:
            return "451 4.3.0 Try again later"
        return None

    handler = SinkHandler(keep_content=False, refuse_data=after_data, refuse_rcpt=at_rcpt)
    recipients = 1_000
    issue, expected, killed = _run_killed_send(
        tmp_path=tmp_path,
        newsletter=en_digest,
        articles=en_articles,
        recipients=recipients,
        handler=handler,
        seed=int(os.environ.get("NEWSLETTERS_FAULT_SEED", random.randrange(1_000_000))),
        NEWSLETTERS_LEASE_SECONDS="2",
        NEWSLETTERS_BATCH_SIZE="50",
        NEWSLETTERS_RETRY_SECONDS="0",
    )
    bounced = {e for e in expected if _number(e) % 50 == 11}
    refused = bounced | {e for e in expected if _number(e) % 37 == 2}
    _check_exactly_once(
        issue=issue, expected=expected, handler=handler, killed_workers=killed, refused=refused
    )
    received = handler.count_by_recipient()
    status = dict(Delivery.objects.filter(issue=issue).values_list("email", "status"))
    unconfirmed = {e for e, s in status.items() if s == DeliveryStatus.UNCONFIRMED}
    # Exactly one message, or none and a recorded failure (or, in the window, unconfirmed).
    for rcpt in expected:
        if received[rcpt]:
            assert received[rcpt] == 1 and status[rcpt] in ("sent", "unconfirmed"), rcpt
        else:
            assert status[rcpt] in ("failed", "unconfirmed"), (rcpt, status[rcpt])
    assert not refused & set(received)
    failed = {e for e, s in status.items() if s == DeliveryStatus.FAILED}
    # The 550s are refused at RCPT, before any hand-over: always recorded as failed.
    assert bounced <= failed and failed <= refused
    assert refused - failed <= unconfirmed
    suppressed = set(
        Subscriber.objects.filter(suppression_reason="hard_bounce").values_list("email", flat=True)
    )
    assert suppressed == bounced
    assert (
        set(
            Delivery.objects.filter(issue=issue, bounced_at__isnull=False).values_list(
                "email", flat=True
            )
        )
        == bounced
    )
    # The 4xx were retried later and went once, except what a kill left unconfirmed.
    retried = {e for e in expected if _number(e) % 7 == 3 or _number(e) % 13 == 5} - refused
    lost = retried - set(received)
    assert lost <= unconfirmed
    assert len(lost) <= killed * settings.NEWSLETTERS_SMTP_CONNECTIONS
    assert all(received[e] == 1 for e in retried - lost)
    print(f"retried {len(retried)}, lost to a kill in the refusal window: {len(lost)}")


def test_a_provider_send_killed_three_times_sends_nobody_twice(
    tmp_path, settings, en_digest, en_articles
):
    """The same through the provider's batch API (anymail's Mailgun backend, the stand-in in
    this process): a worker killed during a call leaves that call's recipients "unconfirmed"
    (the provider may have taken them) and never sends them again."""
    settings.TASKS = DATABASE_TASKS
    state = StandInState()
    group = 100
    issue, expected, killed = _run_killed_send(
        tmp_path=tmp_path,
        newsletter=en_digest,
        articles=en_articles,
        recipients=10_000,
        handler=state,
        seed=int(os.environ.get("NEWSLETTERS_FAULT_SEED", random.randrange(1_000_000))),
        NEWSLETTERS_LEASE_SECONDS="2",
        NEWSLETTERS_BATCH_SIZE="250",
        NEWSLETTERS_PROVIDER_BATCH_SIZE=str(group),
    )
    _check_exactly_once(
        issue=issue, expected=expected, handler=state, killed_workers=killed, group=group
    )
    assert all(m.message_id and "%recipient." not in m.html for m in state.received[:200])


def test_a_group_hand_over_claims_each_message_once(en_digest, en_articles):
    """The PostgreSQL hand-over: one round trip to claim, the COMMIT answered after `then`."""
    from django.db import connection as db

    from broadsheet.newsletters import claims, delivery

    subscribers_confirm(newsletter=en_digest, count=5)
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    Issue.objects.filter(pk=issue.pk).update(status="sending", send_started_at=timezone.now())
    delivery.issue_prepare(issue_id=issue.pk)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    completed = []
    first = claims.deliveries_hand_over(
        delivery_ids=ids[:3], now=timezone.now(), then=completed.append
    )
    again = claims.deliveries_hand_over(delivery_ids=ids, now=timezone.now(), then=completed.append)
    assert first == set(ids[:3]) and again == set(ids[3:])
    assert completed == [first, again]
    assert set(Delivery.objects.values_list("status", "attempts")) == {("handed_over", 1)}
    assert db.connection.pgconn.transaction_status == 0  # idle: the COMMIT was read
