"""Metrics read from the database when Prometheus scrapes: state shared by every process (the
task queues, the newsletter sends), which no one process could count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.db import DatabaseError
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# Sends shown: under way, or finished within this long (their outcomes stay on the dashboard).
RECENT_SENDS = timedelta(hours=24)


class DatabaseStateCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "broadsheet_metrics_database_up",
            "1 when this scrape could read the database state below, else 0.",
        )
        try:
            families = [*self._task_queues(), *self._newsletter_sends()]
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _task_queues(self) -> list[GaugeMetricFamily]:
        from django.conf import settings
        from django_tasks_db.models import DBTaskResult

        depth = GaugeMetricFamily(
            "broadsheet_task_queue_depth", "Tasks ready to run, by queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "broadsheet_task_queue_oldest_seconds",
            "How long the oldest ready task has waited, by queue (0: none waiting).",
            labels=["queue"],
        )
        running = GaugeMetricFamily(
            "broadsheet_task_running", "Tasks being run by a worker, by queue.", labels=["queue"]
        )
        now = timezone.now()
        ready = {
            row["queue_name"]: row
            for row in DBTaskResult.objects.ready()
            .values("queue_name")
            .annotate(n=Count("id"), oldest=Min("enqueued_at"))
        }
        in_progress = dict(
            DBTaskResult.objects.running()
            .values("queue_name")
            .annotate(n=Count("id"))
            .values_list("queue_name", "n")
        )
        for queue in sorted(set(settings.TASK_QUEUES) | set(ready) | set(in_progress)):
            row = ready.get(queue)
            depth.add_metric([queue], row["n"] if row else 0)
            age.add_metric([queue], (now - row["oldest"]).total_seconds() if row else 0)
            running.add_metric([queue], in_progress.get(queue, 0))
        return [depth, age, running]

    def _newsletter_sends(self) -> list[GaugeMetricFamily]:
        from broadsheet.newsletters.models import Delivery, IssueStatus

        deliveries = GaugeMetricFamily(
            "broadsheet_newsletter_deliveries",
            "Messages of each send under way or finished in the last 24 h, by outcome.",
            labels=["issue", "newsletter", "status"],
        )
        since = timezone.now() - RECENT_SENDS
        rows = (
            Delivery.objects.filter(
                Q(issue__status=IssueStatus.SENDING) | Q(issue__send_finished_at__gte=since)
            )
            .values("issue_id", "issue__newsletter__slug", "status")
            .annotate(n=Count("id"))
            .order_by("issue_id", "status")
        )
        for row in rows:
            deliveries.add_metric(
                [str(row["issue_id"]), row["issue__newsletter__slug"], row["status"]], row["n"]
            )
        return [deliveries]
