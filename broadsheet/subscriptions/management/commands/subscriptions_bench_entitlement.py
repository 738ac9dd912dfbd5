"""Time entitlement_for() for signed-in readers, cold (cache dropped) and cached."""

from __future__ import annotations

import json
import platform
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min

from broadsheet.subscriptions.models import Seat
from broadsheet.subscriptions.selectors import entitlement_cache_key, entitlement_for


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Command(BaseCommand):
    help = (
        "Benchmark entitlement_for() on readers loaded by subscriptions_bulk_generate: half "
        "with a subscription, half without; prints and writes p50/p99 in milliseconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=2000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--output", default="bench/results/entitlement.json")

    def handle(self, *args, samples: int, runs: int, output: str, **options):
        User = get_user_model()  # noqa: N806
        total = User.objects.filter(username__startswith="bench-").count()
        if total == 0:
            raise CommandError("no bench readers: run subscriptions_bulk_generate first")
        rng = random.Random(42)  # noqa: S311  (sampling, not security)
        bounds = Seat.objects.aggregate(low=Min("pk"), high=Max("pk"))
        picks = {rng.randint(bounds["low"], bounds["high"]) for _ in range(samples // 2)}
        with_seat = list(Seat.objects.filter(pk__in=picks).values_list("user_id", flat=True))
        first = User.objects.get(username="bench-0").pk
        without = [first + rng.randrange(total) for _ in range(samples - len(with_seat))]
        users = list(User.objects.filter(pk__in=with_seat + without))
        rng.shuffle(users)

        results = {"cold_ms": [], "cached_ms": []}
        for _run in range(runs):
            cold, cached = [], []
            cache.delete_many([entitlement_cache_key(u.pk) for u in users])
            for user in users:
                started = time.perf_counter()
                entitlement_for(user)
                cold.append((time.perf_counter() - started) * 1000)
            for user in users:
                started = time.perf_counter()
                entitlement_for(user)
                cached.append((time.perf_counter() - started) * 1000)
            results["cold_ms"].append(cold)
            results["cached_ms"].append(cached)

        summary = {
            "readers": total,
            "seats": Seat.objects.count(),
            "samples": len(users),
            "runs": runs,
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        }
        for kind, all_runs in results.items():
            p50s = [_percentile(r, 0.50) for r in all_runs]
            p99s = [_percentile(r, 0.99) for r in all_runs]
            summary[kind] = {
                "p50_median_of_runs": round(statistics.median(p50s), 3),
                "p99_median_of_runs": round(statistics.median(p99s), 3),
                "p99_each_run": [round(v, 3) for v in p99s],
            }
            self.stdout.write(
                f"{kind}: p50 {summary[kind]['p50_median_of_runs']} ms, "
                f"p99 {summary[kind]['p99_median_of_runs']} ms (median of {runs} runs)"
            )
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=2) + "\n")
        self.stdout.write(f"written to {path}")
