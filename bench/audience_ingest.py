"""View counting through the Redis store, beside redis-benchmark in the same run.

    .venv/bin/python bench/audience_ingest.py                 # 3 runs, ~1 minute
    .venv/bin/python bench/audience_ingest.py --runs 5 --redis-url redis://127.0.0.1:6379/15

Measures, each run, on the same Redis:
1. the baseline: `redis-benchmark` ZINCRBY (50 clients, unpipelined, and pipelined by 16);
2. ingestion through the store (broadsheet.audience.stores.redis.RedisStore), each view being
   the whole counting script (reload window, hourly set, both windows, the source of the day):
   one view per round trip from one thread, and batches pipelined (`record_many`) from one and
   from two processes;
3. reading the top 10 of an edition in which 100,000 articles were viewed, through the store
   (one script call: the window's freshness check and ZREVRANGE), and ZREVRANGE alone;
4. moving the 24-hour window by an hour in which 100,000 articles were viewed (what the tick,
   or the first read of the hour, pays once an hour).

Prints the medians and writes bench/results/audience.json (every run) and audience.md. Uses a
key prefix of its own and deletes its keys at the end; redis-benchmark's key is deleted too.
Nothing here is asserted: the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings.test")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from revision import git_commit  # noqa: E402  (bench/revision.py)

from broadsheet.audience.hits import Hit, Source  # noqa: E402
from broadsheet.audience.stores.redis import RedisStore  # noqa: E402

RESULTS = ROOT / "bench" / "results"
EDITION = "en-us"
TARGET_VIEWS_PER_SECOND = 20_000
TARGET_TOP10_P99_MS = 1.0
SOURCES = [Source.SEARCH, Source.SOCIAL, Source.DIRECT, Source.INTERNAL, Source.NEWSLETTER]


def make_store(url: str, prefix: str) -> RedisStore:
    return RedisStore(url=url, prefix=prefix, dedupe=timedelta(minutes=30), timeout=5.0)


def hits(count: int, *, articles: int, now: datetime, seed: int, offset: int = 0) -> list[Hit]:
    chance = random.Random(seed)
    return [
        Hit(
            article_id=chance.randrange(1, articles + 1),
            edition=EDITION,
            at=now,
            reader_key=f"{seed:x}r{offset + n:x}",
            source=chance.choice(SOURCES),
        )
        for n in range(count)
    ]


# 1. The baseline


def redis_benchmark(url: str, *, requests: int, pipeline: int) -> float:
    parts = urlsplit(url)
    database = (parts.path or "/0").strip("/") or "0"
    command = [
        "redis-benchmark",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 6379),
        "--dbnum",
        database,
        "-n",
        str(requests),
        "-c",
        "50",
        "-P",
        str(pipeline),
        "-r",
        "100000",
        "-q",
        "ZINCRBY",
        "audience-bench:zset",
        "1",
        "__rand_int__",
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True).stdout
    found = re.findall(r"([\d.]+) requests per second", output)
    if not found:
        raise SystemExit(f"could not read redis-benchmark's output:\n{output}")
    return float(found[-1])


# 2. Ingestion


def ingest_single(store: RedisStore, batch: list[Hit]) -> float:
    started = time.perf_counter()
    for hit in batch:
        store.record(hit)
    return len(batch) / (time.perf_counter() - started)


def ingest_pipelined(store: RedisStore, batch: list[Hit], size: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(batch), size):
        store.record_many(batch[start : start + size])
    return len(batch) / (time.perf_counter() - started)


def _worker(args) -> tuple[int, float, float]:
    url, prefix, count, size, seed, now_ts = args
    store = make_store(url, prefix)
    batch = hits(count, articles=100_000, now=datetime.fromtimestamp(now_ts, UTC), seed=seed)
    started = time.perf_counter()
    for start in range(0, len(batch), size):
        store.record_many(batch[start : start + size])
    return count, started, time.perf_counter()


def ingest_processes(url: str, prefix: str, *, processes: int, each: int, size: int, now) -> float:
    jobs = [(url, prefix, each, size, 1000 + n, now.timestamp()) for n in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(_worker, jobs)
    total = sum(count for count, _start, _end in results)
    span = max(end for _c, _s, end in results) - min(start for _c, start, _e in results)
    return total / span


# 3. Reading the top 10


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def fill_articles(store: RedisStore, *, articles: int, now: datetime) -> None:
    """Every article viewed at least once in the edition, a few of them many times."""
    chance = random.Random(7)
    batch = [
        Hit(article_id=n, edition=EDITION, at=now, reader_key=f"fill{n}", source=Source.DIRECT)
        for n in range(1, articles + 1)
    ]
    batch += [
        Hit(
            article_id=chance.randrange(1, 200),
            edition=EDITION,
            at=now,
            reader_key=f"hot{n}",
            source=Source.SEARCH,
        )
        for n in range(20_000)
    ]
    for start in range(0, len(batch), 1000):
        store.record_many(batch[start : start + 1000])


def read_top(store: RedisStore, *, reads: int, now: datetime, hours: int) -> list[float]:
    timings = []
    for _read in range(reads):
        started = time.perf_counter()
        store.ranking(edition=EDITION, hours=hours, now=now, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def read_zrevrange(store: RedisStore, *, reads: int) -> list[float]:
    key = store._key(EDITION, "w24")
    timings = []
    for _read in range(reads):
        started = time.perf_counter()
        store.client.zrevrange(key, 0, 9, withscores=True)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# 4. Moving the window


def roll_cost(store: RedisStore, *, articles: int, now: datetime) -> float:
    """Views of `articles` articles 24 hours ago, then the window moves past their hour."""
    then = now - timedelta(hours=23)
    batch = [
        Hit(article_id=n, edition=EDITION, at=then, reader_key=f"old{n}", source=Source.DIRECT)
        for n in range(1, articles + 1)
    ]
    # The window now starts at that hour; an hour later, it subtracts it.
    store.ranking(edition=EDITION, hours=24, now=now, limit=1)
    for start in range(0, len(batch), 1000):
        store.record_many(batch[start : start + 1000])
    started = time.perf_counter()
    store.roll(edition=EDITION, now=now + timedelta(hours=1))
    return (time.perf_counter() - started) * 1000


def one_run(args, number: int) -> dict:
    prefix = f"audience-bench-{os.getpid()}-{number}"
    store = make_store(args.redis_url, prefix)
    store.clear()
    store.mark_complete(edition=EDITION, now=datetime.now(UTC))
    now = datetime.now(UTC).replace(minute=30)
    run: dict = {"run": number}
    try:
        run["redis_benchmark_zincrby"] = redis_benchmark(
            args.redis_url, requests=args.benchmark_requests, pipeline=1
        )
        run["redis_benchmark_zincrby_p16"] = redis_benchmark(
            args.redis_url, requests=args.benchmark_requests, pipeline=16
        )
        run["store_single_views_per_s"] = ingest_single(
            store, hits(args.single_views, articles=100_000, now=now, seed=number)
        )
        run["store_pipelined_views_per_s"] = ingest_pipelined(
            store,
            hits(args.views, articles=100_000, now=now, seed=100 + number),
            args.batch,
        )
        run["store_pipelined_2proc_views_per_s"] = ingest_processes(
            args.redis_url, prefix, processes=2, each=args.views // 2, size=args.batch, now=now
        )
        store.clear()
        store.mark_complete(edition=EDITION, now=now)
        fill_articles(store, articles=args.articles, now=now)
        viewed = store.client.zcard(store._key(EDITION, "w24"))
        run["articles_viewed"] = viewed
        store.ranking(edition=EDITION, hours=24, now=now, limit=10)  # warm
        top24 = read_top(store, reads=args.reads, now=now, hours=24)
        top168 = read_top(store, reads=args.reads, now=now, hours=168)
        raw = read_zrevrange(store, reads=args.reads)
        for name, timings in (("top10_24h", top24), ("top10_7d", top168), ("zrevrange", raw)):
            run[f"{name}_p50_ms"] = percentile(timings, 0.50)
            run[f"{name}_p99_ms"] = percentile(timings, 0.99)
            run[f"{name}_max_ms"] = max(timings)
        store.clear()
        store.mark_complete(edition=EDITION, now=now)
        run["roll_100k_articles_ms"] = roll_cost(store, articles=args.articles, now=now)
    finally:
        store.clear()
        store.client.delete("audience-bench:zset")
    return run


FIGURES = [
    ("redis_benchmark_zincrby", "redis-benchmark ZINCRBY, 50 clients, unpipelined", "ops/s"),
    ("redis_benchmark_zincrby_p16", "redis-benchmark ZINCRBY, pipelined by 16", "ops/s"),
    ("store_single_views_per_s", "store: one view per round trip, 1 thread", "views/s"),
    ("store_pipelined_views_per_s", "store: pipelined batches, 1 process", "views/s"),
    ("store_pipelined_2proc_views_per_s", "store: pipelined batches, 2 processes", "views/s"),
    ("top10_24h_p50_ms", "top 10 over 24 h through the store, p50", "ms"),
    ("top10_24h_p99_ms", "top 10 over 24 h through the store, p99", "ms"),
    ("top10_7d_p99_ms", "top 10 over 7 days through the store, p99", "ms"),
    ("zrevrange_p99_ms", "ZREVRANGE 0 9 alone (redis-py), p99", "ms"),
    ("roll_100k_articles_ms", "moving the 24 h window past an hour of 100,000 articles", "ms"),
]


def summarise(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key, _label, _unit in FIGURES}


def _format(value: float, unit: str) -> str:
    return f"{value:,.3f}" if unit == "ms" else f"{value:,.0f}"


def write_results(args, runs: list[dict], medians: dict, environment: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    best = medians["store_pipelined_views_per_s"]
    ratio = best / medians["redis_benchmark_zincrby"]
    targets = {
        "views_per_s_target": TARGET_VIEWS_PER_SECOND,
        "views_per_s_met": best >= TARGET_VIEWS_PER_SECOND,
        "top10_p99_ms_target": TARGET_TOP10_P99_MS,
        "top10_p99_met": medians["top10_24h_p99_ms"] < TARGET_TOP10_P99_MS,
        "pipelined_store_over_redis_benchmark": ratio,
    }
    payload = {
        "benchmark": "audience_ingest",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "settings": vars(args),
        "environment": environment,
        "medians": medians,
        "targets": targets,
        "runs": runs,
    }
    (RESULTS / "audience.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        "# Audience: view counting and top-10 reads (Redis store)",
        "",
        f"`bench/audience_ingest.py`, {payload['when']}, git {payload['commit']}, "
        f"median of {len(runs)} runs, "
        f"Redis {environment['redis_version']} on the same machine "
        f"({environment['cpus']} CPUs, load {environment['load_before']} before, "
        f"{environment['load_after']} after). {args.views:,} views per ingestion run over "
        f"100,000 articles, batches of {args.batch}; reads with {args.articles:,} articles "
        "viewed in the edition.",
        "",
        "| figure | median | unit |",
        "| --- | ---: | --- |",
    ]
    for key, label, unit in FIGURES:
        lines.append(f"| {label} | {_format(medians[key], unit)} | {unit} |")
    lines += [
        "",
        f"- Pipelined ingestion through the store is {ratio:.2f}x redis-benchmark's unpipelined "
        f"ZINCRBY in the same run (each view is one script doing the reload-window check, four "
        f"increments and their expiries). Target {TARGET_VIEWS_PER_SECOND:,} views/s: "
        f"{'met' if targets['views_per_s_met'] else 'NOT met'}.",
        f"- Top 10 of an edition with {medians.get('articles_viewed', args.articles):,.0f} "
        f"articles viewed: p99 {medians['top10_24h_p99_ms']:.3f} ms through the store "
        f"(target under {TARGET_TOP10_P99_MS} ms: "
        f"{'met' if targets['top10_p99_met'] else 'NOT met'}).",
        "- One view per round trip is what a beacon request costs Redis; the web process's own "
        "work per beacon (Django, the hash of the reader) is on top and is measured with the "
        "pages (bench/load_pages.py), not here.",
        "",
    ]
    (RESULTS / "audience.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--views", type=int, default=200_000)
    parser.add_argument("--single-views", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=20_000)
    parser.add_argument("--benchmark-requests", type=int, default=300_000)
    args = parser.parse_args()
    if not shutil.which("redis-benchmark"):
        raise SystemExit("redis-benchmark is missing: apt-get install -y redis-tools")
    client = redis.Redis.from_url(args.redis_url)
    environment = {
        "redis_version": client.info("server")["redis_version"],
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    runs = []
    for number in range(1, args.runs + 1):
        run = one_run(args, number)
        runs.append(run)
        print(
            f"run {number}: redis-benchmark {run['redis_benchmark_zincrby']:,.0f} ops/s; "
            f"store {run['store_single_views_per_s']:,.0f} (single) / "
            f"{run['store_pipelined_views_per_s']:,.0f} (pipelined) / "
            f"{run['store_pipelined_2proc_views_per_s']:,.0f} (2 processes) views/s; "
            f"top10 p99 {run['top10_24h_p99_ms']:.3f} ms; "
            f"roll {run['roll_100k_articles_ms']:.0f} ms",
            flush=True,
        )
    environment["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    medians = summarise(runs)
    medians["articles_viewed"] = statistics.median(run["articles_viewed"] for run in runs)
    write_results(args, runs, medians, environment)
    print()
    print((RESULTS / "audience.md").read_text())


if __name__ == "__main__":
    main()
