"""The weekly digest composes itself, waits for its slot, and goes out on the tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from broadsheet.newsletters import rules, services, tasks
from broadsheet.newsletters.models import Issue, IssueStatus
from broadsheet.newsroom.models import EditionTopStory
from broadsheet.newsroom.tests import factories

from .conftest import issue_create, newsletter_create, subscribers_confirm

pytestmark = pytest.mark.django_db


def next_slot(newsletter, now):
    return rules.next_slot(weekday=newsletter.send_weekday, at=newsletter.send_time, after=now)


def test_the_digest_takes_the_weeks_articles_then_the_editors_picks(en_edition, en_world):
    digest = newsletter_create(edition=en_edition, digest_size=4)
    now = timezone.now()
    old = factories.article_publish(
        section=en_world, title="Last month", published_at=now - timedelta(days=30)
    )
    week = [factories.article_publish(section=en_world, title=f"This week {n}") for n in range(4)]
    EditionTopStory.objects.create(page=en_edition, article=old, sort_order=0)
    EditionTopStory.objects.create(page=en_edition, article=week[0], sort_order=1)

    issue = services.digest_compose(newsletter=digest, slot=next_slot(digest, now), now=now)

    items = list(issue.items.order_by("sort_order").values_list("article__title", "source"))
    # Until the audience app ranks by views, "most read" is the week's newest.
    assert items == [
        ("This week 3", "most_read"),
        ("This week 2", "most_read"),
        ("Last month", "pick"),
        ("This week 0", "pick"),
    ]
    assert issue.status == IssueStatus.SCHEDULED
    assert issue.scheduled_for == next_slot(digest, now)
    assert issue.subject.startswith("The Weekly: ")
    # One issue per slot, however often it is asked for.
    assert services.digest_compose(newsletter=digest, slot=issue.scheduled_for, now=now) is None


def test_the_spanish_digest_covers_the_spanish_edition_only(es_edition, es_world, en_world):
    digest = newsletter_create(edition=es_edition, name="El Semanal", slug="semanal")
    factories.article_publish(section=en_world, title="English only")
    factories.article_publish(section=es_world, title="Solo en español")
    now = timezone.now()
    issue = services.digest_compose(newsletter=digest, slot=next_slot(digest, now), now=now)
    assert list(issue.items.values_list("article__title", flat=True)) == ["Solo en español"]


def test_nothing_to_send_composes_nothing(en_edition):
    digest = newsletter_create(edition=en_edition)
    now = timezone.now()
    assert services.digest_compose(newsletter=digest, slot=next_slot(digest, now), now=now) is None


def test_without_automatic_sending_the_digest_waits_as_a_draft(en_edition, en_world):
    digest = newsletter_create(edition=en_edition, auto_send=False)
    factories.article_publish(section=en_world)
    now = timezone.now()
    issue = services.digest_compose(newsletter=digest, slot=next_slot(digest, now), now=now)
    assert issue.status == IssueStatus.DRAFT


def test_the_tick_composes_ahead_then_sends_when_due(
    settings, en_edition, en_world, time_machine, django_capture_on_commit_callbacks
):
    settings.NEWSLETTERS_COMPOSE_AHEAD_HOURS = 24
    now = timezone.now().replace(microsecond=0)
    digest = newsletter_create(
        edition=en_edition,
        send_weekday=(now + timedelta(hours=2)).weekday(),
        send_time=(now + timedelta(hours=2)).time(),
    )
    factories.article_publish(section=en_world, title="News")
    subscribers_confirm(newsletter=digest, count=2)
    time_machine.move_to(now, tick=False)

    result = tasks.newsletters_tick(now=now)
    (issue,) = Issue.objects.all()
    assert result["composed"] == [issue.pk] and result["started"] == []
    assert tasks.newsletters_tick(now=now)["composed"] == []  # idempotent

    due = issue.scheduled_for + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.newsletters_tick(now=due)
    issue.refresh_from_db()
    assert result["started"] == [issue.pk]
    assert issue.status == IssueStatus.SENT
    assert issue.recipient_count == 2


def test_the_tick_command_runs(en_edition, capsys):
    call_command("newsletters_tick")
    assert '"composed": []' in capsys.readouterr().out


class TestEditorActions:
    def test_schedule_unschedule_cancel(self, en_digest, en_articles):
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        now = timezone.now()
        with pytest.raises(services.IssueError, match="in the future"):
            services.issue_schedule(issue_id=issue.pk, when=now - timedelta(minutes=1), now=now)
        services.issue_schedule(issue_id=issue.pk, when=now + timedelta(hours=1), now=now)
        assert Issue.objects.get().status == IssueStatus.SCHEDULED
        services.issue_unschedule(issue_id=issue.pk)
        assert Issue.objects.get().status == IssueStatus.DRAFT
        services.issue_cancel(issue_id=issue.pk)
        with pytest.raises(services.IssueError, match="no longer be changed"):
            services.issue_schedule(issue_id=issue.pk, when=now + timedelta(hours=1), now=now)
        assert not services.issue_send_start(issue_id=issue.pk, now=now)

    def test_an_empty_issue_cannot_be_scheduled(self, en_digest):
        issue = Issue.objects.create(newsletter=en_digest, subject="Empty")
        now = timezone.now()
        with pytest.raises(services.IssueError, match="at least one article"):
            services.issue_schedule(issue_id=issue.pk, when=now + timedelta(hours=1), now=now)

    def test_a_scheduled_issue_that_lost_its_articles_goes_back_to_draft(self, en_digest):
        issue = Issue.objects.create(
            newsletter=en_digest,
            subject="Lost",
            status=IssueStatus.SCHEDULED,
            scheduled_for=timezone.now() - timedelta(minutes=1),
        )
        assert services.issues_start_due(now=timezone.now()) == []
        issue.refresh_from_db()
        assert issue.status == IssueStatus.DRAFT


def test_setup_creates_one_digest_per_edition_and_grants_editors(editions):
    from django.contrib.auth.models import Group

    from broadsheet.newsletters.models import Newsletter

    call_command("setup_newsletters")
    call_command("setup_newsletters")
    digests = Newsletter.objects.filter(kind="weekly_digest").order_by("locale__language_code")
    assert [d.locale.language_code for d in digests] == ["en-us", "es-es"]
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="change_issue").exists()
