"""The newsroom's screens: newsletters, issues (compose, preview, test, schedule, send,
report) and subscribers in the Wagtail admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from broadsheet.newsletters.models import Issue, IssueStatus

from .conftest import issue_create, subscribers_confirm

pytestmark = pytest.mark.django_db


def report_url(issue):
    return reverse("wagtailsnippets_newsletters_issue:report", args=[issue.pk])


def test_listings_load(admin_client, en_digest, es_digest, en_articles):
    issue_create(newsletter=en_digest, articles=en_articles, subject="Listed issue")
    subscribers_confirm(newsletter=en_digest, count=1)
    for name in ("newsletter", "issue", "subscriber"):
        response = admin_client.get(reverse(f"wagtailsnippets_newsletters_{name}:list"))
        assert response.status_code == 200, name
    issues = admin_client.get(reverse("wagtailsnippets_newsletters_issue:list"))
    assert "Listed issue" in issues.content.decode()
    assert "Preview, send and report" in issues.content.decode()
    newsletters = admin_client.get(reverse("wagtailsnippets_newsletters_newsletter:list"))
    assert "El Semanal" in newsletters.content.decode()


def test_compose_preview_test_send_schedule_and_send(
    admin_client, admin_user, en_digest, en_articles, django_capture_on_commit_callbacks
):
    subscribers_confirm(newsletter=en_digest, count=2)
    compose = reverse("wagtailsnippets_newsletters_newsletter:compose", args=[en_digest.pk])
    assert admin_client.get(compose).status_code == 200
    response = admin_client.post(compose)
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == report_url(issue)

    page = admin_client.get(report_url(issue))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 confirmed subscribers today." in html
    assert en_articles[0].title in html

    preview = admin_client.get(
        reverse("wagtailsnippets_newsletters_issue:preview_html", args=[issue.pk])
    )
    assert en_articles[0].title in preview.content.decode()
    text = admin_client.get(
        reverse("wagtailsnippets_newsletters_issue:preview_text", args=[issue.pk])
    )
    assert text["Content-Type"].startswith("text/plain")
    assert en_articles[0].get_full_url() in text.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(report_url(issue), {"action": "test"})
    (test_message,) = mail.outbox
    assert test_message.to == [admin_user.email]
    assert test_message.subject.startswith("[Test] ")

    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    admin_client.post(report_url(issue), {"action": "schedule", "when": when})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SCHEDULED
    bad = admin_client.post(report_url(issue), {"action": "schedule", "when": "tomorrow"})
    assert bad.status_code == 200 and "Enter the date and time" in bad.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(report_url(issue), {"action": "send"})
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert len(mail.outbox) == 2
    report = admin_client.get(report_url(issue)).content.decode()
    assert "Send report" in report
    # A sent issue is frozen: its edit page is the report.
    edit = admin_client.get(reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk]))
    assert edit.status_code == 302 and edit["Location"] == report_url(issue)


def test_editing_an_issue_reorders_its_articles(admin_client, en_digest, en_articles):
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    items = list(issue.items.order_by("sort_order"))
    edit = reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk])
    assert admin_client.get(edit).status_code == 200
    data = {
        "newsletter": en_digest.pk,
        "subject": "Edited subject",
        "intro": "A new intro.",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "3",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "30",
    }
    for index, (item, order) in enumerate(zip(items, [2, 0, 1], strict=True)):
        data |= {
            f"items-{index}-id": item.pk,
            f"items-{index}-article": item.article_id,
            f"items-{index}-blurb": "",
            f"items-{index}-ORDER": order,
            f"items-{index}-DELETE": "",
        }
    response = admin_client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    issue.refresh_from_db()
    assert (issue.subject, issue.intro) == ("Edited subject", "A new intro.")
    titles = list(issue.items.order_by("sort_order").values_list("article__title", flat=True))
    assert titles == [en_articles[1].title, en_articles[2].title, en_articles[0].title]


def test_readers_cannot_reach_the_screens(client, django_user_model, en_digest, en_articles):
    issue = issue_create(newsletter=en_digest, articles=en_articles)
    response = client.get(report_url(issue))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_half_suppression_is_a_form_error_not_a_crash(admin_client, en_digest):
    (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
    edit = reverse("wagtailsnippets_newsletters_subscriber:edit", args=[subscriber.pk])
    response = admin_client.post(
        edit, {"language": "en-us", "suppressed_at": "", "suppression_reason": "complaint"}
    )
    assert response.status_code == 200
    assert "needs both its time and its reason" in response.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.is_suppressed


def test_editing_a_newsletter_refreshes_the_signup_box(
    admin_client, en_digest, en_articles, django_capture_on_commit_callbacks
):
    from django.test import Client

    reader = Client()
    assert "The Weekly Digest" in reader.get(en_articles[0].url).content.decode()
    edit = reverse("wagtailsnippets_newsletters_newsletter:edit", args=[en_digest.pk])
    form = {
        "locale": en_digest.locale_id,
        "name": "The Sunday Read",
        "slug": "weekly",
        "description": "",
        "kind": "weekly_digest",
        "sender_name": "",
        "sender_email": "",
        "send_weekday": "6",
        "send_time": "08:00",
        "auto_send": "on",
        "digest_size": "8",
        "is_active": "on",
        "sort_order": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(edit, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "The Sunday Read" in reader.get(en_articles[0].url).content.decode()
