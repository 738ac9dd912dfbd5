"""The mail server stops answering mid-send (too slow, or killed): the messages it was given
and never answered for are listed for staff (address, Message-ID, when, what it last said),
who resend them once or mark them received, in the admin or with a command; each action is
audited."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry
from broadsheet.newsletters import services
from broadsheet.newsletters.models import Batch, Delivery, DeliveryStatus, Issue, IssueStatus

from .conftest import issue_create, subscribers_confirm
from .smtp_sink import SinkHandler, SMTPSink

pytestmark = pytest.mark.django_db


class SlowToAnswer(SinkHandler):
    """Answers some recipients' messages only after the sender gave up waiting: `took` are
    then accepted (the server has them), `dropped` refused (it has not); later attempts are
    answered at once."""

    def __init__(self, *, took: set[str], dropped: set[str]):
        super().__init__()
        self.took, self.dropped = took, dropped
        self.slow_attempts: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        rcpt = envelope.rcpt_tos[0]
        if rcpt in self.took | self.dropped:
            self.slow_attempts[rcpt] += 1
            if self.slow_attempts[rcpt] == 1 and rcpt in self.dropped:
                # Longer than the sender waits for both slow replies together.
                await asyncio.sleep(4)
                return "451 4.3.0 Lost your message, sorry"
            if self.slow_attempts[rcpt] == 1:
                await asyncio.sleep(2)
        return await super().handle_DATA(server, session, envelope)


def _wait_for(predicate, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def broken_send(settings, en_digest, en_articles, django_capture_on_commit_callbacks):
    """An issue sent to 6 readers through a server that answered 2 of them too late."""
    subscribers = subscribers_confirm(newsletter=en_digest, count=6, prefix="u")
    took, dropped = subscribers[1].email, subscribers[4].email
    handler = SlowToAnswer(took={took}, dropped={dropped})
    with SMTPSink(handler) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_TIMEOUT = 1
        settings.NEWSLETTERS_TRANSPORT = "smtp"
        settings.NEWSLETTERS_SEND_RATE = 0
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
        # The server does complete the message it took, after the sender stopped listening.
        _wait_for(lambda: handler.count_by_recipient()[took] == 1, "the late message")
        yield issue, handler, Delivery.objects.get(email=took), Delivery.objects.get(email=dropped)


def unconfirmed_url(issue) -> str:
    return reverse("wagtailsnippets_newsletters_issue:unconfirmed", args=[issue.pk])


def test_staff_see_the_unconfirmed_and_resolve_them(
    broken_send, admin_client, admin_user, django_capture_on_commit_callbacks
):
    issue, handler, took, dropped = broken_send
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert {d.status for d in (took, dropped)} == {DeliveryStatus.UNCONFIRMED}
    assert Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT).count() == 4

    report = admin_client.get(
        reverse("wagtailsnippets_newsletters_issue:report", args=[issue.pk])
    ).content.decode()
    assert unconfirmed_url(issue) in report
    page = admin_client.get(unconfirmed_url(issue))
    html = page.content.decode()
    assert page.status_code == 200
    for delivery in (took, dropped):
        assert delivery.email in html
        # The Message-ID shown is the one the server got, to look it up in its log.
        assert delivery.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
        assert "after hand-over: Connection unexpectedly closed: timed out" in html
    (late,) = [r for r in handler.received if r.rcpt == took.email]
    assert late.message_id == took.message_id

    # The server's log shows it took one: mark it received.
    response = admin_client.post(unconfirmed_url(issue), {"action": f"received:{took.pk}"})
    assert response.status_code == 302
    took.refresh_from_db()
    assert took.status == DeliveryStatus.SENT
    assert took.error.startswith("marked received by staff; after hand-over: Connection")

    # The other never arrived: resend it, through the normal send.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            unconfirmed_url(issue),
            {"action": "resend", "scope": "selected", "delivery": dropped.pk},
        )
    dropped.refresh_from_db()
    assert dropped.status == DeliveryStatus.SENT and dropped.resent_at is not None
    assert handler.count_by_recipient() == {
        d.email: 1 for d in Delivery.objects.filter(issue=issue)
    }
    (resent,) = [r for r in handler.received if r.rcpt == dropped.email]
    assert resent.message_id == dropped.message_id  # the same message, recognisable
    assert not Batch.objects.filter(issue=issue).exclude(status="done").exists()
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT  # the archive kept it

    entries = AuditEntry.objects.filter(target=f"issue:{issue.pk}").order_by("pk")
    assert [(e.action, e.actor, e.data["deliveries"]) for e in entries] == [
        ("newsletters.deliveries_marked_received", admin_user, [took.pk]),
        ("newsletters.deliveries_resent", admin_user, [dropped.pk]),
    ]
    assert "No delivery of this issue" in admin_client.get(unconfirmed_url(issue)).content.decode()


def test_a_message_is_resent_once_at_most(broken_send, django_capture_on_commit_callbacks):
    issue, handler, took, dropped = broken_send
    ids = [took.pk, dropped.pk]
    # Resent once, and unconfirmed again (the server died again): only "received" is left.
    Delivery.objects.filter(pk=took.pk).update(resent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.deliveries_resend(
                issue_id=issue.pk, delivery_ids=ids, user=None, now=timezone.now()
            )
            == 1
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.deliveries_resend(
                issue_id=issue.pk, delivery_ids=ids, user=None, now=timezone.now()
            )
            == 0
        )
    assert handler.count_by_recipient()[dropped.email] == 1
    assert handler.count_by_recipient()[took.email] == 1
    assert (
        services.deliveries_mark_received(
            issue_id=issue.pk, delivery_ids=ids, user=None, now=timezone.now()
        )
        == 1
    )
    assert not Delivery.objects.filter(status=DeliveryStatus.UNCONFIRMED).exists()
    assert AuditEntry.objects.filter(actor_kind="system").count() == 2


def test_the_command_lists_and_resolves(broken_send, capsys):
    issue, _handler, took, dropped = broken_send
    call_command("newsletters_unconfirmed", str(issue.pk))
    listed = capsys.readouterr().out
    assert took.email in listed and dropped.message_id in listed and "after hand-over" in listed
    call_command("newsletters_unconfirmed", str(issue.pk), "--mark-received", "--all")
    assert "2 of 2 marked received" in capsys.readouterr().out
    assert not Delivery.objects.filter(status=DeliveryStatus.UNCONFIRMED).exists()


def test_only_editors_who_may_change_issues_resolve(broken_send, client, django_user_model):
    issue, _handler, took, _dropped = broken_send
    viewer = django_user_model.objects.create_user(
        username="viewer", email="viewer@example.com", password="pw", is_staff=True
    )
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_issue"])
    )
    client.force_login(viewer)
    page = client.get(unconfirmed_url(issue))
    assert page.status_code == 200 and took.email in page.content.decode()
    assert "Mark received" not in page.content.decode()
    # Wagtail answers a denied admin view with a redirect to the dashboard and a message.
    denied = client.post(unconfirmed_url(issue), {"action": f"received:{took.pk}"})
    assert denied.status_code == 302 and denied["Location"] == reverse("wagtailadmin_home")
    took.refresh_from_db()
    assert took.status == DeliveryStatus.UNCONFIRMED
    reader = django_user_model.objects.create_user(username="reader", password="pw")
    client.force_login(reader)
    assert client.get(unconfirmed_url(issue)).status_code in (302, 403)


@pytest.mark.parametrize(
    "form",
    [
        {"action": "resend", "delivery": "x"},
        {"action": "resend", "delivery": str(10**30)},
        {"action": "received:-1"},
        {"action": "received:\x00"},
        {"action": "explode"},
    ],
)
def test_bad_input_is_a_400(broken_send, admin_client, form):
    issue, *_ = broken_send
    response = admin_client.post(unconfirmed_url(issue), form)
    assert response.status_code == 400
    assert Delivery.objects.filter(status=DeliveryStatus.UNCONFIRMED).count() == 2


# The mail server process itself dies mid-send (SIGKILL, as the OOM killer or a crash would):
# a server of its own in a subprocess, which appends each message it accepts to a file and
# kills itself on receiving the final line of the third.
CRASHING_SERVER = """
import json, os, signal, sys, time
from broadsheet.newsletters.tests.smtp_sink import SinkHandler, SMTPSink

port, accepted, crash_at = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

class Crashing(SinkHandler):
    async def handle_DATA(self, server, session, envelope):
        self.messages = getattr(self, "messages", 0) + 1
        if self.messages == crash_at:
            os.kill(os.getpid(), signal.SIGKILL)  # before any reply: the message is lost
        reply = await super().handle_DATA(server, session, envelope)
        with open(accepted, "a") as out:
            out.write(json.dumps([envelope.rcpt_tos[0], self.received[-1].message_id]) + "\\n")
        return reply

with SMTPSink(Crashing(), port=port):
    print("ready", flush=True)
    while True:
        time.sleep(1)
"""


class CrashingServer:
    def __init__(self, tmp_path, *, crash_at: int):
        from .smtp_sink import free_port

        self.port, self.crash_at = free_port(), crash_at
        self.accepted = tmp_path / "accepted.jsonl"
        self.accepted.touch()
        self.process = None

    def start(self, *, crash_at: int | None = None) -> None:
        import subprocess
        import sys

        from django.conf import settings

        self.process = subprocess.Popen(
            [sys.executable, "-c", CRASHING_SERVER, str(self.port), str(self.accepted)]
            + [str(crash_at if crash_at is not None else self.crash_at)],
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)

    def received(self) -> Counter:
        import json

        lines = self.accepted.read_text().splitlines()
        return Counter(json.loads(line)[0] for line in lines)

    def message_ids(self) -> dict[str, str]:
        import json

        return dict(json.loads(line) for line in self.accepted.read_text().splitlines())


def test_the_mail_server_killed_mid_send_leaves_one_unconfirmed_that_staff_resend(
    tmp_path,
    settings,
    monkeypatch,
    admin_client,
    en_digest,
    en_articles,
    django_capture_on_commit_callbacks,
):
    from datetime import timedelta

    from broadsheet.newsletters import delivery

    subscribers = subscribers_confirm(newsletter=en_digest, count=6, prefix="k")
    server = CrashingServer(tmp_path, crash_at=3)
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_TIMEOUT = 5
        settings.NEWSLETTERS_TRANSPORT = "smtp"
        settings.NEWSLETTERS_SEND_RATE = 0
        settings.NEWSLETTERS_SMTP_CONNECTIONS = 1  # one message at a time: the crash is the 3rd
        settings.NEWSLETTERS_RETRY_SECONDS = 60
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.issue_send_start(issue_id=issue.pk, now=timezone.now())
        server.process.wait(timeout=10)  # it died on the third message

        status = dict(Delivery.objects.filter(issue=issue).values_list("email", "status"))
        in_flight = subscribers[2].email  # its final line sent, no reply ever came
        assert status[in_flight] == DeliveryStatus.UNCONFIRMED
        assert [status[s.email] for s in subscribers[:2]] == [DeliveryStatus.SENT] * 2
        # After the crash: refused connections, nothing handed over, retried later.
        assert [status[s.email] for s in subscribers[3:]] == [DeliveryStatus.DEFERRED] * 3
        assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENDING

        # The server comes back; the retry is due (the send's clock, moved on).
        server.start(crash_at=0)  # 0: never crashes
        later = timezone.now() + timedelta(minutes=2)
        monkeypatch.setattr(delivery, "_now", lambda: later)
        delivery.issue_deliver(issue_id=issue.pk)
        assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT
        assert server.received() == {s.email: 1 for s in subscribers if s.email != in_flight}

        # Staff see the one left unconfirmed: address, Message-ID, what the server last said.
        unconfirmed = Delivery.objects.get(issue=issue, status=DeliveryStatus.UNCONFIRMED)
        assert unconfirmed.email == in_flight
        html = admin_client.get(unconfirmed_url(issue)).content.decode()
        assert in_flight in html
        assert unconfirmed.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
        assert "after hand-over: Connection unexpectedly closed" in html
        # Its log has no such Message-ID: resend it, once, through the normal send.
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                unconfirmed_url(issue),
                {"action": "resend", "scope": "selected", "delivery": unconfirmed.pk},
            )
        assert response.status_code == 302
        unconfirmed.refresh_from_db()
        assert unconfirmed.status == DeliveryStatus.SENT and unconfirmed.resent_at is not None
        # Everyone got exactly one message, the resent one under its original Message-ID.
        assert server.received() == {s.email: 1 for s in subscribers}
        assert server.message_ids()[in_flight] == unconfirmed.message_id
        assert not Delivery.objects.filter(issue=issue).exclude(status="sent").exists()
    finally:
        server.stop()
