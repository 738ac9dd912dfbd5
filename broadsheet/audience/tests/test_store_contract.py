"""The contract every live store keeps (stores/base.py), run against the database store and the
Redis store alike: the same hits give the same counts, rankings and hours."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest

from broadsheet.audience.hits import Hit, Kind, Source, day_of, hour_index, window_hours

from .conftest import START, STORES, redis_url

pytestmark = pytest.mark.django_db


def test_redis_is_tested():
    if not redis_url():
        pytest.skip(
            "the Redis store's tests run only with REDIS_URL set, e.g. redis://127.0.0.1:6379/3"
        )
    assert STORES[:2] == ["database", "redis"]


# Article ids: the stores need no pages (the history keeps ids, not foreign keys).
EN = [101, 102, 103, 104, 105, 106]
ES = [201, 202, 203]


def hit(article_id, at, reader="r1", **fields) -> Hit:
    edition = "es-es" if article_id in ES else "en-us"
    return Hit(article_id=article_id, edition=edition, at=at, reader_key=reader, **fields)


def test_a_reader_counts_once_per_article_within_the_reload_window(store):
    first, second = EN[:2]

    counted = [
        store.record(hit(first, START)),
        store.record(hit(first, START + timedelta(minutes=29, seconds=59))),
        store.record(hit(second, START + timedelta(minutes=1))),
        store.record(hit(first, START + timedelta(minutes=2), reader="r2")),
        store.record(hit(first, START + timedelta(minutes=30))),
    ]

    assert counted == [True, False, True, True, True]
    assert store.ranking(edition="en-us", hours=24, now=START + timedelta(minutes=31), limit=5) == [
        (first, 3),
        (second, 1),
    ]


def test_a_reload_just_after_midnight_counts_once_across_the_day_salt(store):
    article = EN[0]
    before = START.replace(hour=23, minute=50)
    after = before + timedelta(minutes=20)

    assert store.record(hit(article, before, reader="yesterday-key"))
    # The same reader after midnight: today's key, with yesterday's still in its window.
    assert not store.record(
        hit(article, after, reader="today-key", previous_reader_key="yesterday-key")
    )
    # The window is the one opened at 23:50, carried over: it closes at 00:20.
    assert not store.record(hit(article, before + timedelta(minutes=29), reader="today-key"))
    assert store.record(hit(article, before + timedelta(minutes=31), reader="today-key"))


def test_kinds_count_apart_and_only_views_rank(store):
    article = EN[0]
    store.record(hit(article, START, source=Source.SEARCH))
    assert store.record(hit(article, START, kind=Kind.PAYWALL))
    assert not store.record(hit(article, START, kind=Kind.PAYWALL))
    assert store.record(hit(article, START, reader="sub-1", kind=Kind.SUBSCRIBE))
    assert store.record(hit(EN[1], START, reader="sub-2", kind=Kind.SUBSCRIBE))

    hour = hour_index(START)
    counts = {row.article_id: row for row in store.hour_counts(edition="en-us", hour=hour)}
    assert (counts[article].views, counts[article].paywall_hits) == (1, 1)
    assert counts[article].subscriptions == 1
    assert (counts[EN[1]].views, counts[EN[1]].subscriptions) == (0, 1)
    assert store.ranking(edition="en-us", hours=24, now=START, limit=5) == [(article, 1)]
    assert store.article_hours(edition="en-us", article_id=article, hours=[hour - 1, hour]) == {
        hour: counts[article]
    }


def test_editions_never_share_counts(store):
    for number in range(3):
        store.record(hit(ES[0], START, reader=f"r{number}"))
    store.record(hit(EN[0], START))

    assert store.ranking(edition="en-us", hours=24, now=START, limit=5) == [(EN[0], 1)]
    assert store.ranking(edition="es-es", hours=168, now=START, limit=5) == [(ES[0], 3)]
    assert {
        row.article_id for row in store.hour_counts(edition="es-es", hour=hour_index(START))
    } == {ES[0]}


def test_sources_are_counted_per_article_and_day(store):
    first, second = EN[:2]
    sources = [Source.SEARCH, Source.SEARCH, Source.SOCIAL, Source.UNKNOWN]
    for number, source in enumerate(sources):
        store.record(hit(first, START, reader=f"r{number}", source=source))
    store.record(hit(second, START + timedelta(days=1), source=Source.NEWSLETTER))

    day = day_of(START)
    assert store.article_day_sources(edition="en-us", article_id=first, day=day) == {
        "search": 2,
        "social": 1,
        "unknown": 1,
    }
    assert {
        (r.article_id, r.source, r.views) for r in store.day_sources(edition="en-us", day=day)
    } == {
        (first, "search", 2),
        (first, "social", 1),
        (first, "unknown", 1),
    }
    assert store.day_sources(edition="en-us", day=day + timedelta(days=1))[0].source == "newsletter"


def test_record_many_counts_like_record_one_by_one(store):
    """A batch spanning editions and hours, larger than one script call, with reloads in it."""
    chance = random.Random(3)
    hits = [
        hit(
            chance.choice(EN[:3] + ES[:2]),
            START + timedelta(minutes=chance.choice([0, 50])),
            reader=f"r{chance.randrange(40)}",
        )
        for _n in range(700)
    ]
    hits.sort(key=lambda h: h.at)

    counted = store.record_many(hits)

    # 50 minutes apart is outside the reload window: a reader counts once in each hour.
    distinct = {(h.article_id, h.reader_key, h.at) for h in hits}
    assert counted == len(distinct)
    later = START + timedelta(hours=1)
    english = store.ranking(edition="en-us", hours=2, now=later, limit=9)
    spanish = store.ranking(edition="es-es", hours=2, now=later, limit=9)
    assert dict(english) == dict(Counter(a for a, _r, _at in distinct if a in EN))
    assert dict(spanish) == dict(Counter(a for a, _r, _at in distinct if a in ES))
    assert store.record_many([]) == 0


def reference_ranking(views: list[tuple[int, object]], *, now, hours: int) -> dict[int, int]:
    buckets = window_hours(now=now, hours=hours)
    return dict(
        Counter(article for article, at in views if buckets.start <= hour_index(at) < buckets.stop)
    )


def test_windows_follow_the_clock_across_hour_and_day_boundaries(store):
    """Nine days of views at random times; then the clock walks forward hour by hour (and
    jumps), and the 24-hour and 7-day rankings are exactly what a plain count gives."""
    chance = random.Random(5)
    start = START.replace(hour=22, minute=0)  # two hours before a midnight
    views = []
    for number in range(400):
        at = start + timedelta(minutes=chance.randrange(9 * 24 * 60))
        views.append((chance.choice(EN), at, f"r{number}"))
    views.sort(key=lambda view: view[1])

    pending = list(views)
    checked = 0
    now = start
    # Every 37 minutes over two days (every hour and the day boundaries), then in jumps.
    steps = [timedelta(minutes=37)] * 80 + [timedelta(hours=13), timedelta(days=3, hours=5)] * 3
    for step in steps:
        now += step
        while pending and pending[0][1] <= now:
            article_id, at, reader = pending.pop(0)
            store.record(Hit(article_id=article_id, edition="en-us", at=at, reader_key=reader))
        shown = [(article_id, at) for article_id, at, _reader in views if at <= now]
        for hours in (2, 24, 168):
            got = dict(store.ranking(edition="en-us", hours=hours, now=now, limit=len(EN)))
            assert got == reference_ranking(shown, now=now, hours=hours), (now, hours)
            checked += 1
    assert checked == len(steps) * 3


def test_the_window_moves_even_when_only_reads_happen(store):
    article = EN[0]
    store.record(hit(article, START))
    later = START + timedelta(hours=23, minutes=30)
    assert store.ranking(edition="en-us", hours=24, now=later, limit=3) == [(article, 1)]
    # The view's hour leaves the 24-hour window; the 7-day one keeps it.
    gone = START + timedelta(hours=24)
    assert store.ranking(edition="en-us", hours=24, now=gone, limit=3) == []
    assert store.ranking(edition="en-us", hours=168, now=gone, limit=3) == [(article, 1)]
    store.roll(edition="en-us", now=START + timedelta(days=7, hours=1))
    assert store.ranking(edition="en-us", hours=168, now=START + timedelta(days=8), limit=3) == []


def test_ranking_is_most_viewed_first_and_limited(store):
    for position, article in enumerate(EN):
        for number in range(position + 1):
            store.record(hit(article, START, reader=f"r{number}"))

    top = store.ranking(edition="en-us", hours=24, now=START, limit=3)

    assert top == [(a, 6 - n) for n, a in enumerate(reversed(EN[-3:]))]
