"""Subscribers imported from and exported to CSV, consent kept; an import is all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from broadsheet.newsletters import transfer
from broadsheet.newsletters.models import Subscriber, Subscription, SubscriptionStatus

from .conftest import newsletter_create

pytestmark = pytest.mark.django_db

CONSENTED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def run_import(newsletter, text: str, *, source: str = "import:test") -> transfer.ImportReport:
    return transfer.subscribers_import(
        newsletter=newsletter, data=text.encode(), default_source=source, now=timezone.now()
    )


def subscription_of(email: str, newsletter) -> Subscription:
    return Subscription.objects.get(subscriber__email=email, newsletter=newsletter)


def test_rows_with_consent_are_confirmed_as_of_then_and_the_others_asked_to_confirm(
    en_digest, django_capture_on_commit_callbacks
):
    text = (
        "email,consent_at,requested_at,source\n"
        "Ana@Example.org,2024-03-01T09:30:00+00:00,2024-02-28T08:00:00Z,old-site form\n"
        "ben@example.org,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(en_digest, text)

    assert (report.ok, report.confirmed, report.pending) == (True, 1, 1)
    ana = subscription_of("ana@example.org", en_digest)
    assert ana.status == SubscriptionStatus.CONFIRMED
    assert ana.confirmed_at == CONSENTED
    assert ana.requested_at == datetime(2024, 2, 28, 8, 0, tzinfo=UTC)
    assert ana.source == "old-site form"
    ben = subscription_of("ben@example.org", en_digest)
    assert (ben.status, ben.source) == (SubscriptionStatus.PENDING, "import:test")
    # Only the address without consent gets our confirmation email.
    assert [message.to for message in mail.outbox] == [["ben@example.org"]]
    assert "/en-us/newsletters/confirm/" in mail.outbox[0].body


def test_a_file_with_bad_rows_imports_nothing_and_names_each_bad_row(en_digest):
    future = (timezone.now() + timedelta(days=2)).isoformat()
    text = (
        "email,consent_at\n"
        "good@example.org,2024-03-01T09:30:00Z\n"
        "not-an-address,\n"
        f"later@example.org,{future}\n"
        "when@example.org,last tuesday\n"
        "GOOD@example.org,\n"
    )
    report = run_import(en_digest, text)

    assert not report.ok
    assert [line for line, _reason in report.errors] == [3, 4, 5, 6]
    reasons = dict(report.errors)
    assert "in the future" in reasons[4]
    assert "not a date and time" in reasons[5]
    assert "also on line 2" in reasons[6]
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfeemail\n", "not UTF-8"),
        (b"address,when\nana@example.org,\n", "No address column"),
        (b"email\nana@example.org,extra\n", "More fields than the header"),
    ],
)
def test_an_unreadable_file_is_refused_whole(en_digest, data, reason):
    report = transfer.subscribers_import(
        newsletter=en_digest, data=data, default_source="x", now=timezone.now()
    )
    assert not report.ok
    assert reason in report.errors[0][1]
    assert not Subscription.objects.exists()


def test_a_mailchimp_export_keeps_its_consent_and_its_unsubscribes(en_digest):
    text = (
        "Email Address,First Name,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME,LEID\n"
        "ana@example.org,Ana,2024-02-28 08:00:00,2024-03-01 09:30:00,,1\n"
        "gone@example.org,Gus,2023-01-01 08:00:00,2023-01-01 08:05:00,2024-01-01 00:00:00,2\n"
    )
    report = run_import(en_digest, text, source="mailchimp")

    assert (report.ok, report.confirmed, report.kept_out) == (True, 1, 1)
    ana = subscription_of("ana@example.org", en_digest)
    assert (ana.confirmed_at, ana.source) == (CONSENTED, "mailchimp")
    assert not Subscriber.objects.filter(email="gone@example.org").exists()


def test_an_import_never_overrides_a_readers_no_or_an_earlier_consent(en_digest):
    now = timezone.now()
    left = Subscriber.objects.create(email="left@example.org", language="en-us")
    Subscription.objects.create(
        subscriber=left,
        newsletter=en_digest,
        status=SubscriptionStatus.UNSUBSCRIBED,
        requested_at=now,
        unsubscribed_at=now,
    )
    Subscriber.objects.create(
        email="bounced@example.org",
        language="en-us",
        suppressed_at=now,
        suppression_reason="hard_bounce",
    )
    kept = Subscriber.objects.create(email="kept@example.org", language="en-us")
    Subscription.objects.create(
        subscriber=kept,
        newsletter=en_digest,
        status=SubscriptionStatus.CONFIRMED,
        requested_at=CONSENTED,
        confirmed_at=CONSENTED,
        source="page",
    )
    text = (
        "email,consent_at\n"
        "left@example.org,2024-05-01T00:00:00Z\n"
        "bounced@example.org,2024-05-01T00:00:00Z\n"
        "kept@example.org,2024-05-01T00:00:00Z\n"
    )
    report = run_import(en_digest, text)

    assert (report.kept_out, report.unchanged, report.confirmed) == (2, 1, 0)
    assert subscription_of("left@example.org", en_digest).status == SubscriptionStatus.UNSUBSCRIBED
    assert not Subscription.objects.filter(subscriber__email="bounced@example.org").exists()
    assert subscription_of("kept@example.org", en_digest).confirmed_at == CONSENTED


def test_an_export_imports_elsewhere_with_the_same_consent(en_digest, en_edition):
    run_import(
        en_digest,
        "email,consent_at,source\n"
        "ana@example.org,2024-03-01T09:30:00Z,old form\n"
        "=cmd@example.org,2024-03-01T09:30:00Z,=HYPERLINK()\n",
    )
    out = io.StringIO()
    assert transfer.subscribers_export(newsletter=en_digest, out=out, style="broadsheet") == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    # A cell a spreadsheet would run as a formula is written as text.
    assert [row["email"] for row in rows] == ["'=cmd@example.org", "ana@example.org"]
    assert rows[1]["consent_at"] == "2024-03-01T09:30:00+00:00"

    other = newsletter_create(edition=en_edition, name="Briefing", slug="briefing")
    exported = out.getvalue().replace("'=cmd@example.org", "cmd@example.org")
    report = run_import(other, exported)
    assert report.confirmed == 2
    assert subscription_of("ana@example.org", other).confirmed_at == CONSENTED
    assert subscription_of("ana@example.org", other).source == "old form"


def test_the_mailchimp_style_export_lists_confirmed_subscribers_only(en_digest):
    run_import(
        en_digest, "email,consent_at\nana@example.org,2024-03-01T09:30:00Z\nben@example.org,\n"
    )
    out = io.StringIO()
    transfer.subscribers_export(newsletter=en_digest, out=out, style="mailchimp")
    assert out.getvalue().splitlines() == [
        "Email Address,OPTIN_TIME,CONFIRM_TIME",
        "ana@example.org,2024-03-01 09:30:00,2024-03-01 09:30:00",
    ]


def test_the_command_reports_bad_rows_and_imports_nothing(en_digest, tmp_path, capsys):
    bad = tmp_path / "list.csv"
    bad.write_text("email,consent_at\nana@example.org,2024-03-01T09:30:00Z\nnope,\n")
    with pytest.raises(CommandError, match="1 bad rows: nothing was imported"):
        call_command("newsletters_subscribers", "import", "weekly", str(bad))
    assert "line 3: nope" in capsys.readouterr().err
    assert not Subscription.objects.exists()

    bad.write_text("email,consent_at\nana@example.org,2024-03-01T09:30:00Z\n")
    call_command("newsletters_subscribers", "import", "weekly", str(bad))
    assert "confirmed 1" in capsys.readouterr().out
    assert subscription_of("ana@example.org", en_digest).source == "import:list.csv"

    exported = tmp_path / "out.csv"
    call_command(
        "newsletters_subscribers", "export", "weekly", str(exported), "--format", "mailchimp"
    )
    assert "ana@example.org" in exported.read_text()
    with pytest.raises(CommandError, match="No newsletter"):
        call_command("newsletters_subscribers", "export", "weekly", "--edition", "es-es")


def test_staff_import_and_export_in_the_admin(admin_client, en_digest):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("wagtailsnippets_newsletters_newsletter:import", args=[en_digest.pk])
    listing = admin_client.get(reverse("wagtailsnippets_newsletters_newsletter:list"))
    assert url in listing.content.decode()
    assert admin_client.get(url).status_code == 200

    bad = SimpleUploadedFile("list.csv", b"email,consent_at\nana@example.org,\nnope,\n")
    refused = admin_client.post(url, {"file": bad})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "1 bad row: nothing was imported." in page
    assert "<td>3</td>" in page
    assert not Subscription.objects.exists()

    good = SimpleUploadedFile(
        "list.csv", b"email,consent_at\nana@example.org,2024-03-01T09:30:00Z\nben@example.org,\n"
    )
    imported = admin_client.post(url, {"file": good, "source": "spring fair"})
    assert imported.status_code == 200
    assert (
        "1 subscribed with their consent, 1 sent a confirmation email" in imported.content.decode()
    )
    assert subscription_of("ana@example.org", en_digest).source == "spring fair"

    export = reverse("wagtailsnippets_newsletters_newsletter:export", args=[en_digest.pk])
    download = admin_client.get(export + "?format=mailchimp")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="en-us-weekly-mailchimp.csv"'
    assert download.content.decode().splitlines()[1].startswith("ana@example.org,")
    assert admin_client.get(export + "?format=bogus").status_code == 400


def test_readers_cannot_import_or_export(client, django_user_model, en_digest):
    from django.urls import reverse

    reader = django_user_model.objects.create_user("r", "r@example.org", "a long passphrase 42")
    client.force_login(reader)
    for name in ("import", "export"):
        url = reverse(f"wagtailsnippets_newsletters_newsletter:{name}", args=[en_digest.pk])
        assert client.get(url).status_code in (302, 403)


def test_bad_rows_are_reported_in_the_staff_members_language():
    from django.utils import translation

    with translation.override("es-es"):
        _rows, errors = transfer.rows_read(
            b"email,consent_at\nana@example.org,el martes\n", default_source="x", now=timezone.now()
        )
    assert errors == [(2, "ana@example.org: el martes no es una fecha y hora")]
