"""Time entitlement_for() for signed-in readers, cold (cache dropped) and cached.

bench/entitlement_lookup.py runs this under production settings, once alone and then as several
processes at once (--start-at lines their timed parts up; --raw gives it every timing so that it
can take percentiles over all of them).
"""

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

PHASES = ("cold", "cached", "cache_get")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _timed(calls, items) -> tuple[list[float], float]:
    """Each call's time in ms, and the wall time of the whole pass in seconds."""
    timings = []
    started_pass = time.perf_counter()
    for item in items:
        started = time.perf_counter()
        calls(item)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, time.perf_counter() - started_pass


class Command(BaseCommand):
    help = (
        "Benchmark entitlement_for() on readers loaded by subscriptions_bulk_generate: half "
        "with a subscription, half without; prints and writes p50/p99 in milliseconds and "
        "lookups per second, cold and cached, beside a bare cache read of the same keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=2000)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--output", default="bench/results/entitlement.json")
        parser.add_argument(
            "--phase",
            choices=["both", "cold", "cached"],
            default="both",
            help="cold: cache dropped before each lookup pass; cached: warmed once, untimed",
        )
        parser.add_argument("--seed", type=int, default=42, help="which readers are sampled")
        parser.add_argument(
            "--start-at",
            type=float,
            default=0.0,
            help="Unix time at which to start timing (to run several processes together)",
        )
        parser.add_argument("--raw", action="store_true", help="write every timing too")

    def _readers(self, *, samples: int, seed: int) -> tuple[int, list]:
        User = get_user_model()  # noqa: N806
        total = User.objects.filter(username__startswith="bench-").count()
        if total == 0:
            raise CommandError("no bench readers: run subscriptions_bulk_generate first")
        rng = random.Random(seed)  # noqa: S311  (sampling, not security)
        bounds = Seat.objects.aggregate(low=Min("pk"), high=Max("pk"))
        picks = {rng.randint(bounds["low"], bounds["high"]) for _ in range(samples // 2)}
        with_seat = list(Seat.objects.filter(pk__in=picks).values_list("user_id", flat=True))
        first = User.objects.get(username="bench-0").pk
        without = [first + rng.randrange(total) for _ in range(samples - len(with_seat))]
        users = list(User.objects.filter(pk__in=with_seat + without))
        rng.shuffle(users)
        return total, users

    def handle(self, *args, samples, runs, output, phase, seed, start_at, raw, **options):
        total, users = self._readers(samples=samples, seed=seed)
        keys = [entitlement_cache_key(u.pk) for u in users]
        if phase == "cached":
            for user in users:  # warm, untimed
                entitlement_for(user)
        if start_at:
            time.sleep(max(0.0, start_at - time.time()))

        results: dict[str, list[list[float]]] = {name: [] for name in PHASES}
        seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        started = time.time()
        for _run in range(runs):
            if phase in ("both", "cold"):
                cache.delete_many(keys)
                timings, wall = _timed(entitlement_for, users)
                results["cold"].append(timings)
                seconds["cold"] += wall
            if phase in ("both", "cached"):
                timings, wall = _timed(entitlement_for, users)
                results["cached"].append(timings)
                seconds["cached"] += wall
                # The floor for a cached lookup: the cache read of the same key, nothing else.
                timings, wall = _timed(cache.get, keys)
                results["cache_get"].append(timings)
                seconds["cache_get"] += wall
        finished = time.time()

        summary = {
            "readers": total,
            "seats": Seat.objects.count(),
            "samples": len(users),
            "runs": runs,
            "phase": phase,
            "seed": seed,
            "started": started,
            "finished": finished,
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
        }
        for kind, all_runs in results.items():
            if not all_runs:
                continue
            p50s = [_percentile(r, 0.50) for r in all_runs]
            p99s = [_percentile(r, 0.99) for r in all_runs]
            lookups = sum(len(r) for r in all_runs)
            summary[kind] = {
                "p50_median_of_runs": round(statistics.median(p50s), 3),
                "p99_median_of_runs": round(statistics.median(p99s), 3),
                "p99_each_run": [round(v, 3) for v in p99s],
                "max_ms": round(max(max(r) for r in all_runs), 3),
                "lookups": lookups,
                "ops_per_s": round(lookups / seconds[kind], 1) if seconds[kind] else None,
            }
            if raw:
                summary[kind]["timings_ms"] = [round(v, 4) for r in all_runs for v in r]
            self.stdout.write(
                f"{kind}: p50 {summary[kind]['p50_median_of_runs']} ms, "
                f"p99 {summary[kind]['p99_median_of_runs']} ms (median of {runs} runs), "
                f"{summary[kind]['ops_per_s']} lookups/s"
            )
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=2) + "\n")
        self.stdout.write(f"written to {path}")
