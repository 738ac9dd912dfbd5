"""Polling: the tick claims due sources, fetches their feed from the agency's host and imports
it; a failed fetch is a refused run; the commands do the same from cron or a file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from broadsheet.agency import services
from broadsheet.agency.models import ImportRun, RunStatus, Trigger
from broadsheet.agency.tasks import agency_tick
from broadsheet.newsroom.models import ArticlePage

from . import samples

pytestmark = pytest.mark.django_db


def test_the_tick_polls_due_sources_once_per_interval(make_source, agency_server):
    agency_server.serve(
        "/feed", samples.atom([samples.Story(guid="urn:p:1")]), "application/atom+xml"
    )
    source = make_source("atom", is_active=True, poll_minutes=10)
    inactive = make_source("atom", name="Paused", is_active=False)
    now = timezone.now()

    assert agency_tick(now=now) == [source.pk]
    assert agency_tick(now=now + timedelta(minutes=9)) == []
    assert agency_tick(now=now + timedelta(minutes=10)) == [source.pk]

    runs = ImportRun.objects.filter(source=source).order_by("pk")
    assert [(r.trigger, r.created_count, r.unchanged_count) for r in runs] == [
        (Trigger.POLL, 1, 0),
        (Trigger.POLL, 0, 1),
    ]
    assert not ImportRun.objects.filter(source=inactive).exists()
    assert ArticlePage.objects.get().live is False
    assert agency_server.requests.count("/feed") == 2


def test_a_claim_is_taken_once(make_source):
    source = make_source("rss", is_active=True)
    now = timezone.now()
    assert services.source_claim_poll(source_id=source.pk, now=now)
    assert not services.source_claim_poll(source_id=source.pk, now=now)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((500, "text/plain", b"oops"), "answered 500"),
        ((200, "application/rss+xml", b"<rss><channel><item>"), "not well-formed"),
        ((200, "text/html", b"<html>login</html>"), "not an RSS feed"),
    ],
)
def test_a_failed_poll_is_a_refused_run(make_source, agency_server, route, message):
    agency_server.routes["/feed"] = (*route, {})
    source = make_source("rss", is_active=True)

    run = services.source_poll(source=source)

    assert run.status == RunStatus.FAILED and message in run.error
    assert not ArticlePage.objects.exists()


def test_a_feed_larger_than_the_limit_is_not_downloaded_whole(make_source, agency_server, settings):
    settings.AGENCY_MAX_DOCUMENT_BYTES = 2000
    agency_server.serve("/feed", b"<rss>" + b" " * 5000 + b"</rss>", "application/rss+xml")
    run = services.source_poll(source=make_source("rss", is_active=True))
    assert run.status == RunStatus.FAILED and "larger than 2000 bytes" in run.error


def test_agency_poll_command(make_source, agency_server, capsys):
    agency_server.serve("/feed", samples.rss([samples.Story(guid="urn:c")]), "application/rss+xml")
    source = make_source("rss", is_active=True)
    call_command("agency_poll", "--here")
    assert f'"polled": [{source.pk}]' in capsys.readouterr().out
    assert ArticlePage.objects.count() == 1


def test_agency_import_command(make_source, tmp_path, capsys):
    source = make_source("ninjs")
    good = tmp_path / "wire.json"
    good.write_bytes(samples.ninjs_1([samples.Story(guid="urn:f:1")]))
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'{"uri": "urn:f:2", "headline": ')

    call_command("agency_import", "--source", str(source.pk), str(good))
    assert "created 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("agency_import", "--source", str(source.pk), str(broken))
    with pytest.raises(CommandError, match="No agency source"):
        call_command("agency_import", "--source", "999999", str(good))
    assert ImportRun.objects.filter(trigger=Trigger.COMMAND).count() == 2
