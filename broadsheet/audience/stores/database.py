"""The database store: the history tables are the live counters (the embedded default).

Each hit is one short transaction: claim the reader's mark for the reload window (an upsert that
only takes an expired mark), then add one to the article's hour (and its source of the day) with
an upsert on the unique key, so concurrent hits never lose an increment or race an insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum

from ..hits import Hit, Kind, hour_index, hour_start, window_hours
from ..models import ArticleDailySource, ArticleHourlyCount, ReaderMark
from .base import CounterStore, HourCounts, SourceCount

COUNT_COLUMNS: dict[str, str] = {
    Kind.VIEW: "views",
    Kind.PAYWALL: "paywall_hits",
    Kind.SUBSCRIBE: "subscriptions",
}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def mark_for(hit: Hit, reader_key: str) -> str:
    return f"{hit.kind}:{hit.article_id}:{reader_key}"


class DatabaseStore(CounterStore):
    name = "database"
    is_history = True

    def __init__(self, *, dedupe: timedelta):
        self.dedupe = dedupe

    # Writes

    def record(self, hit: Hit) -> bool:
        with transaction.atomic():
            if not self._claim(hit):
                return False
            self._increment(hit)
        return True

    def _claim(self, hit: Hit) -> bool:
        expires_at = hit.at + self.dedupe
        if hit.previous_reader_key:
            previous = (
                ReaderMark.objects.filter(
                    mark=mark_for(hit, hit.previous_reader_key), expires_at__gt=hit.at
                )
                .values_list("expires_at", flat=True)
                .first()
            )
            if previous is not None:
                # Seen before midnight under yesterday's key: carry that window over.
                self._upsert_mark(mark_for(hit, hit.reader_key), previous, hit.at)
                return False
        return self._upsert_mark(mark_for(hit, hit.reader_key), expires_at, hit.at)

    @staticmethod
    def _upsert_mark(mark: str, expires_at: datetime, now: datetime) -> bool:
        """Insert the mark, or take it over if it has expired; True if this call did either."""
        table = _table(ReaderMark)
        sql = (
            f"INSERT INTO {table} (mark, expires_at) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (mark) DO UPDATE SET expires_at = excluded.expires_at "
            f"WHERE {table}.expires_at <= %s RETURNING 1"
        )
        ops = connection.ops
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    mark,
                    ops.adapt_datetimefield_value(expires_at),
                    ops.adapt_datetimefield_value(now),
                ],
            )
            return cursor.fetchone() is not None

    @staticmethod
    def _increment(hit: Hit) -> None:
        column = COUNT_COLUMNS[hit.kind]
        table = _table(ArticleHourlyCount)
        hour = hour_start(hour_index(hit.at))
        ops = connection.ops
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608
                f"(article_id, edition, hour, views, paywall_hits, subscriptions) "
                f"VALUES (%s, %s, %s, %s, %s, %s) "
                f"ON CONFLICT (article_id, hour) DO UPDATE SET {column} = {table}.{column} + 1",
                [
                    hit.article_id,
                    hit.edition,
                    ops.adapt_datetimefield_value(hour),
                    int(column == "views"),
                    int(column == "paywall_hits"),
                    int(column == "subscriptions"),
                ],
            )
            if hit.kind == Kind.VIEW:
                sources = _table(ArticleDailySource)
                cursor.execute(
                    f"INSERT INTO {sources} (article_id, edition, day, source, views) "  # noqa: S608
                    f"VALUES (%s, %s, %s, %s, 1) "
                    f"ON CONFLICT (article_id, day, source) "
                    f"DO UPDATE SET views = {sources}.views + 1",
                    [
                        hit.article_id,
                        hit.edition,
                        ops.adapt_datefield_value(hour.date()),
                        hit.source,
                    ],
                )

    # Reads

    def ranking(
        self, *, edition: str, hours: int, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        buckets = window_hours(now=now, hours=hours)
        rows = (
            ArticleHourlyCount.objects.filter(
                edition=edition,
                hour__gte=hour_start(buckets.start),
                hour__lte=hour_start(buckets.stop - 1),
            )
            .values("article_id")
            .annotate(total=Sum("views"))
            .filter(total__gt=0)
            .order_by("-total", "-article_id")
            .values_list("article_id", "total")[:limit]
        )
        return [(article_id, int(total)) for article_id, total in rows]

    def hour_counts(self, *, edition: str, hour: int) -> list[HourCounts]:
        rows = ArticleHourlyCount.objects.filter(edition=edition, hour=hour_start(hour))
        return [
            HourCounts(row.article_id, hour, row.views, row.paywall_hits, row.subscriptions)
            for row in rows
        ]

    def day_sources(self, *, edition: str, day: date) -> list[SourceCount]:
        rows = ArticleDailySource.objects.filter(edition=edition, day=day, views__gt=0)
        return [SourceCount(row.article_id, day, row.source, row.views) for row in rows]

    def article_hours(
        self, *, edition: str, article_id: int, hours: Iterable[int]
    ) -> dict[int, HourCounts]:
        starts = {hour_start(hour): hour for hour in hours}
        rows = ArticleHourlyCount.objects.filter(article_id=article_id, hour__in=list(starts))
        return {
            starts[row.hour]: HourCounts(
                article_id, starts[row.hour], row.views, row.paywall_hits, row.subscriptions
            )
            for row in rows
        }

    def article_day_sources(self, *, edition: str, article_id: int, day: date) -> dict[str, int]:
        rows = ArticleDailySource.objects.filter(article_id=article_id, day=day)
        return {row.source: row.views for row in rows}

    def clear(self) -> None:
        ReaderMark.objects.all().delete()
        ArticleHourlyCount.objects.all().delete()
        ArticleDailySource.objects.all().delete()
