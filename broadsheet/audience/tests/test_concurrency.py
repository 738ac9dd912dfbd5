"""Many readers at once: 64 threads x 1,000 views of a handful of articles, counted exactly,
and one reader's view raced by every thread counted once (Redis, PostgreSQL; SQLite smaller)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections

from broadsheet.audience import services
from broadsheet.audience.hits import Hit

from .conftest import START

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTICLES = [401, 402, 403, 404, 405]


THREADS, VIEWS_EACH = 64, 1000


def test_concurrent_views_are_counted_exactly(store):
    threads_count, views_each = THREADS, VIEWS_EACH
    start = threading.Barrier(threads_count)
    counted = Counter()
    failures = []

    def reader_thread(number: int) -> None:
        try:
            start.wait()
            mine = 0
            # Every thread also races for one and the same reader's view of the first article.
            if services.hit_record(
                hit=Hit(article_id=ARTICLES[0], edition="en-us", at=START, reader_key="same")
            ):
                mine += 1
            for index in range(views_each):
                hit = Hit(
                    article_id=ARTICLES[index % len(ARTICLES)],
                    edition="en-us",
                    at=START,
                    reader_key=f"t{number}-{index}",
                )
                mine += services.hit_record(hit=hit)
            counted[number] = mine
        except Exception as error:  # noqa: BLE001  (reported below, with the thread's number)
            failures.append((number, error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader_thread, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = threads_count * views_each
    assert failures == []
    assert sum(counted.values()) == total + 1
    ranking = dict(store.ranking(edition="en-us", hours=24, now=START, limit=10))
    per_article = total // len(ARTICLES)
    assert ranking == {
        article: per_article + (1 if article == ARTICLES[0] else 0) for article in ARTICLES
    }
