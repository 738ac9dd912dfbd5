"""The history: hourly totals in the database, equal to the live counters, surviving a Redis
flush and giving the rankings back after one; the digest's most read come from it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from broadsheet.audience import selectors, services
from broadsheet.audience.beacons import beacon_path
from broadsheet.audience.hits import Hit, Source, day_of, hour_index, hour_start
from broadsheet.audience.models import ArticleDailySource, ArticleHourlyCount, ReaderMark

from .conftest import START, reader

pytestmark = pytest.mark.django_db

EN = [301, 302, 303, 304]


def record_views(store, plan: list[tuple[int, timedelta, int]], *, source=Source.SEARCH):
    """(article, when after START, how many readers) -> hits, each reader distinct."""
    number = 0
    for article_id, after, readers in plan:
        for _reader in range(readers):
            number += 1
            store.record(
                Hit(
                    article_id=article_id,
                    edition="en-us",
                    at=START + after,
                    reader_key=f"reader-{number}",
                    source=source,
                )
            )


def history() -> dict[tuple[int, int], int]:
    return {
        (row.article_id, hour_index(row.hour)): row.views
        for row in ArticleHourlyCount.objects.filter(edition="en-us")
    }


def live(store, hours) -> dict[tuple[int, int], int]:
    return {
        (row.article_id, hour): row.views
        for hour in hours
        for row in store.hour_counts(edition="en-us", hour=hour)
        if row.views
    }


PLAN = [
    (EN[0], timedelta(minutes=0), 5),
    (EN[1], timedelta(minutes=50), 3),  # the next hour
    (EN[0], timedelta(hours=14), 2),  # past midnight
    (EN[2], timedelta(hours=14, minutes=1), 4),
    (EN[3], timedelta(days=2), 1),
]


def test_the_persisted_history_equals_the_live_counters(store):
    record_views(store, PLAN)
    now = START + timedelta(days=2, minutes=5)

    first = services.audience_tick(now=now)
    rows_once = history()
    services.audience_tick(now=now)  # copying again changes nothing

    hours = range(hour_index(START) - 1, hour_index(now) + 1)
    assert history() == live(store, hours) == rows_once
    assert sum(rows_once.values()) == 15
    assert first["store"] == store.name
    sources = ArticleDailySource.objects.filter(edition="en-us")
    assert {(s.article_id, s.day, s.source, s.views) for s in sources} == {
        (row.article_id, row.day, row.source, row.views)
        for day in (day_of(START) + timedelta(days=n) for n in range(3))
        for row in store.day_sources(edition="en-us", day=day)
    }


def test_hours_missed_while_the_tick_was_down_are_caught_up(redis_store):
    record_views(redis_store, PLAN[:2])
    services.audience_tick(now=START + timedelta(hours=1, minutes=10))
    record_views(redis_store, PLAN[2:])
    # The tick stops for two days, then runs again.
    services.audience_tick(now=START + timedelta(days=2, hours=3))

    assert sum(history().values()) == 15


def test_a_flushed_redis_gets_its_rankings_back_from_the_history(redis_store, clock):
    record_views(redis_store, PLAN[:4])
    now = START + timedelta(hours=14, minutes=5)
    clock.move_to(now, tick=False)
    services.audience_tick(now=now)
    before = redis_store.ranking(edition="en-us", hours=24, now=now, limit=5)
    before_week = redis_store.ranking(edition="en-us", hours=168, now=now, limit=5)
    assert before == [(EN[0], 7), (EN[2], 4), (EN[1], 3)]

    redis_store.client.flushdb()
    # Readers go on reading while nothing has been restored yet.
    redis_store.record(Hit(article_id=EN[3], edition="en-us", at=now, reader_key="after-flush"))
    assert not redis_store.is_complete(edition="en-us")
    # The rails do not show a ranking of only the last few seconds: they read the history.
    assert selectors.ranking(edition="en-us", hours=24, now=now, limit=5)[:3] == before

    services.audience_tick(now=now + timedelta(minutes=1))

    assert redis_store.is_complete(edition="en-us")
    assert redis_store.ranking(edition="en-us", hours=24, now=now, limit=5) == [*before, (EN[3], 1)]
    assert redis_store.ranking(edition="en-us", hours=168, now=now, limit=5) == [
        *before_week,
        (EN[3], 1),
    ]
    # Restoring happens once: another tick adds nothing twice.
    services.audience_tick(now=now + timedelta(minutes=2))
    assert (
        sum(views for _a, views in redis_store.ranking(edition="en-us", hours=24, now=now, limit=9))
        == 15
    )
    assert sum(history().values()) == 15


def test_the_rails_ask_for_a_restore_as_soon_as_they_see_the_loss(redis_store, clock):
    record_views(redis_store, PLAN[:1])
    clock.move_to(START + timedelta(minutes=5), tick=False)
    services.audience_tick(now=timezone.now())
    redis_store.client.flushdb()

    # Tasks run at once in the tests: the rail's read restores and then reads Redis again.
    assert selectors.ranking(edition="en-us", hours=24, now=timezone.now(), limit=5) == [(EN[0], 5)]
    assert redis_store.is_complete(edition="en-us")


def test_the_tick_prunes_expired_windows_and_old_history(store, settings, clock):
    settings.AUDIENCE_HISTORY_DAYS = 30
    record_views(store, [(EN[0], timedelta(0), 2)])
    old_hour = hour_start(hour_index(START - timedelta(days=31)))
    ArticleHourlyCount.objects.create(article_id=EN[1], edition="en-us", hour=old_hour, views=9)
    ArticleDailySource.objects.create(
        article_id=EN[1], edition="en-us", day=old_hour.date(), source="search", views=9
    )

    clock.move_to(START + timedelta(hours=1), tick=False)
    output = io.StringIO()
    call_command("audience_tick", stdout=output)

    assert '"store"' in output.getvalue()
    assert not ArticleHourlyCount.objects.filter(article_id=EN[1]).exists()
    assert not ArticleDailySource.objects.filter(article_id=EN[1]).exists()
    assert not ReaderMark.objects.exists()
    assert ArticleHourlyCount.objects.filter(article_id=EN[0]).get().views == 2


def test_the_digest_takes_the_periods_most_read_then_its_newest(
    store, clock, en_articles, es_articles
):
    quiet, popular, middling = en_articles
    client = Client()
    for article, readers in ((popular, 3), (middling, 2), (es_articles[0], 5)):
        for number in range(readers):
            client.get(
                beacon_path(edition=article.locale.language_code.lower(), article_id=article.pk),
                **reader(number),
            )
    services.audience_tick(now=timezone.now())

    week = selectors.article_ids_most_read(
        language_code="en-US",
        since=timezone.now() - timedelta(days=7),
        until=timezone.now() + timedelta(hours=1),
        limit=3,
    )

    assert week == [popular.pk, middling.pk, quiet.pk]
