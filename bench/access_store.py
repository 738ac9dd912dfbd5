#!/usr/bin/env python3
"""The reading slot through the access store: check (slot_claim) and heartbeat (slot_heartbeat),
on Redis and on PostgreSQL, beside a bare redis-py EVALSHA of `return 1` on the same client.

    .venv/bin/python bench/access_store.py                  # ~2 minutes once the database exists
    .venv/bin/python bench/access_store.py --rounds 7 --ops 20000

1. Database `broadsheet_bench_access` (bench/access_common.py: created once with 10,000
   subscribers, each with an active Digital subscription and its seat; reused after). Redis
   database 14 (`--redis-url`), emptied (FLUSHDB) at the start and at the end.
2. The stores as the web process builds them (`broadsheet.settings.production`: the Redis store
   of `get_store()`, its socket timeout ACCESS_REDIS_TIMEOUT_MS; the database store on
   PostgreSQL). Each seat's slot is first taken by its own device (a reader reading).
3. Rounds, interleaved (every variant once per round, in turn), one client thread:
   - bare: `client.evalsha(sha, 1, slot key)` of `return 1` on the Redis store's own client
     (same pool, same connection, same socket options): the floor of any one-round-trip
     script call; and the same through redis-py's `Script` object (`register_script`);
   - script alone: the store's claim (or heartbeat) script by `client.evalsha` with its
     arguments encoded beforehand: what Redis and redis-py cost without the store's Python;
   - the store: `slot_claim` / `slot_heartbeat`, Redis and database.
   Each operation picks a seat at random among 10,000; 90% come from the device holding the
   slot (it keeps reading), 10% from a second device of the seat (refused: the notice).
4. Four client threads sharing the store (one process), Redis: bare and the store.
5. Where the store's Python time goes: each step of a call timed alone (key, arguments,
   reply -> SlotOutcome, the unavailability guard), and Redis's own time per script
   (INFO commandstats, deltas: shared with anything else running EVALSHA on this Redis).

Prints the figures and writes bench/results/access_store.json and access_store.md. Target
(issue 4): the store's Redis path at least 80% of the bare call's throughput, p99 under 1 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import access_common as common
from revision import git_commit  # bench/revision.py

ROOT = common.ROOT
RESULTS = common.RESULTS
TARGET_RATIO = 0.80
TARGET_P99_MS = 1.0
OTHER_DEVICE_SHARE = 0.10


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def git_revision() -> str:
    try:
        return git_commit()
    except OSError:
        return ""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Bench:
    def __init__(self, args):
        from django.conf import settings

        from broadsheet.access.stores import get_store
        from broadsheet.access.stores.database import DatabaseStore
        from broadsheet.subscriptions.models import Seat

        self.args = args
        self.lease = timedelta(seconds=settings.ACCESS_SLOT_LEASE_SECONDS)
        self.redis = get_store()
        if self.redis.name != "redis":
            raise SystemExit("ACCESS_REDIS_URL is not set: no Redis store to measure")
        self.database = DatabaseStore()
        self.before = None
        if args.compare_store:
            # Another version of stores/redis.py (e.g. `git show HEAD:...`), loaded beside this
            # one as a module of the same package; same URL, prefix and timeout.
            import importlib.util

            spec = importlib.util.spec_from_file_location(
                "broadsheet.access.stores._redis_compared", args.compare_store
            )
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self.before = module.RedisStore(
                url=settings.ACCESS_REDIS_URL,
                prefix=settings.ACCESS_REDIS_PREFIX,
                timeout=settings.ACCESS_REDIS_TIMEOUT_MS / 1000,
            )
        self.client = self.redis.client
        self.bare = self.client.register_script("return 1")
        self.client.script_load(self.bare.script)
        self.seats = list(
            Seat.objects.filter(user__username__startswith="bench-")
            .order_by("pk")
            .values_list("pk", flat=True)[: args.readers]
        )
        if len(self.seats) < args.readers:
            raise SystemExit(f"{len(self.seats)} seats in the database, {args.readers} asked")
        self.keys = {seat: self.redis.slot_key(seat) for seat in self.seats}
        self.fences = {"redis": {}, "database": {}}
        self.chance = random.Random(20261129)
        self.errors = {}

    # -- workload ----------------------------------------------------------------------------

    def take_slots(self) -> None:
        """Every seat's slot taken by its own device, in both stores (and their fences). The
        database's rows are written in bulk as `slot_claim` leaves them (one claim each would
        take ~7 ms here: a row to create per seat)."""
        from broadsheet.access.models import SlotLease
        from broadsheet.access.rules import next_fence

        now = datetime.now(UTC)
        started = time.monotonic()
        for seat in self.seats:
            outcome = self.redis.slot_claim(
                seat_id=seat, device=f"d{seat}", now=now, lease=self.lease
            )
            self.fences["redis"][seat] = outcome.fence
        fence = next_fence(fence=0, now=now)
        SlotLease.objects.bulk_create(
            [
                SlotLease(seat_id=seat, device=f"d{seat}", fence=fence, seen_at=now)
                for seat in self.seats
            ],
            batch_size=2000,
        )
        self.fences["database"] = dict.fromkeys(self.seats, fence)
        common.log(
            f"{len(self.seats):,} slots taken in each store in {time.monotonic() - started:.1f} s"
        )

    def operations(self, count: int) -> list[tuple[int, str, datetime]]:
        """(seat, device, now): random seats, 10% of the calls from the seat's other device;
        `now` moves 10 µs per call, from the wall clock at the start of the variant."""
        start = datetime.now(UTC)
        step = timedelta(microseconds=10)
        ops = []
        for n in range(count):
            seat = self.chance.choice(self.seats)
            other = self.chance.random() < OTHER_DEVICE_SHARE
            ops.append((seat, f"e{seat}" if other else f"d{seat}", start + step * n))
        return ops

    # -- variants (one loop each: nothing but the call between the two clock reads) -----------

    def run_bare(self, ops):
        """EVALSHA of `return 1` straight through the client: the cheapest script call."""
        evalsha, sha, keys = self.client.evalsha, self.bare.sha, self.keys
        clock, timings = time.perf_counter_ns, []
        started = clock()
        for seat, _device, _now in ops:
            before = clock()
            evalsha(sha, 1, keys[seat])
            timings.append(clock() - before)
        return clock() - started, timings

    def run_bare_script(self, ops):
        """The same through redis-py's Script object (`register_script`), as apps often do."""
        bare, keys, clock, timings = self.bare, self.keys, time.perf_counter_ns, []
        started = clock()
        for seat, _device, _now in ops:
            before = clock()
            bare(keys=[keys[seat]])
            timings.append(clock() - before)
        return clock() - started, timings

    def _script_args(self, ops, *, heartbeat: bool):
        lease_ms = int(self.lease.total_seconds() * 1000)
        # The store's own argument list (RedisStore._slot_args), so this follows any change.
        sample = self.redis._slot_args("d", datetime.now(UTC), self.lease)
        if len(sample) != 3:
            raise SystemExit(f"RedisStore._slot_args changed shape: {sample!r}; update this bench")
        fences = self.fences["redis"]
        rows = []
        for seat, device, now in ops:
            row = [self.keys[seat], device, int(now.timestamp() * 1000), lease_ms]
            if heartbeat:
                row.append(fences[seat] if device[0] == "d" else 0)
            rows.append(row)
        return rows

    def run_script(self, ops, *, heartbeat: bool):
        script = self.redis._heartbeat if heartbeat else self.redis._claim
        self.client.script_load(script.script)
        evalsha, sha, clock, timings = self.client.evalsha, script.sha, time.perf_counter_ns, []
        rows = self._script_args(ops, heartbeat=heartbeat)
        started = clock()
        for row in rows:
            before = clock()
            evalsha(sha, 1, *row)
            timings.append(clock() - before)
        return clock() - started, timings

    def run_claim(self, store, ops):
        from broadsheet.access.stores import StoreUnavailableError

        claim, lease, clock, timings, errors = (
            store.slot_claim,
            self.lease,
            time.perf_counter_ns,
            [],
            0,
        )
        started = clock()
        for seat, device, now in ops:
            before = clock()
            try:
                claim(seat_id=seat, device=device, now=now, lease=lease)
            except StoreUnavailableError:
                errors += 1
            timings.append(clock() - before)
        self._error(f"{self._label(store)}_claim", errors)
        return clock() - started, timings

    def run_heartbeat(self, store, ops):
        from broadsheet.access.stores import StoreUnavailableError

        beat, lease, clock, timings, errors = (
            store.slot_heartbeat,
            self.lease,
            time.perf_counter_ns,
            [],
            0,
        )
        fences = self.fences["database" if store is self.database else "redis"]
        # The fence each page holds, looked up before the clock starts.
        rows = [
            (seat, device, fences[seat] if device[0] == "d" else 0, now)
            for seat, device, now in ops
        ]
        started = clock()
        for seat, device, fence, now in rows:
            before = clock()
            try:
                beat(seat_id=seat, device=device, fence=fence, now=now, lease=lease)
            except StoreUnavailableError:
                errors += 1
            timings.append(clock() - before)
        self._error(f"{self._label(store)}_heartbeat", errors)
        return clock() - started, timings

    def _label(self, store) -> str:
        return "compared" if store is self.before else store.name

    def _error(self, name: str, count: int) -> None:
        if count:
            self.errors[name] = self.errors.get(name, 0) + count

    def variants(self) -> dict:
        redis_ops, db_ops = self.args.ops, self.args.database_ops
        return {
            "bare_evalsha": (redis_ops, lambda ops: self.run_bare(ops)),
            "bare_script_object": (redis_ops, lambda ops: self.run_bare_script(ops)),
            "script_claim": (redis_ops, lambda ops: self.run_script(ops, heartbeat=False)),
            "redis_claim": (redis_ops, lambda ops: self.run_claim(self.redis, ops)),
            "script_heartbeat": (redis_ops, lambda ops: self.run_script(ops, heartbeat=True)),
            "redis_heartbeat": (redis_ops, lambda ops: self.run_heartbeat(self.redis, ops)),
            "database_claim": (db_ops, lambda ops: self.run_claim(self.database, ops)),
            "database_heartbeat": (db_ops, lambda ops: self.run_heartbeat(self.database, ops)),
        } | (
            {
                "compared_claim": (redis_ops, lambda ops: self.run_claim(self.before, ops)),
                "compared_heartbeat": (redis_ops, lambda ops: self.run_heartbeat(self.before, ops)),
            }
            if self.before is not None
            else {}
        )

    def rounds(self) -> dict:
        """Rounds of finely interleaved chunks: within a round every variant runs a chunk of
        its calls in turn (shuffled order) until each has made all of them, so that a burst of
        load from the machine's neighbours falls on every variant alike. The ratio to the bare
        call is taken within each round, then the median of the rounds."""
        variants = self.variants()
        runs = {name: [] for name in variants}
        timings = {name: [] for name in variants}
        order = random.Random(7)
        chunks = self.args.chunks
        for number in range(1, self.args.rounds + 1):
            work = {name: self.operations(count) for name, (count, _run) in variants.items()}
            elapsed = dict.fromkeys(variants, 0)
            for index in range(chunks):
                names = list(variants)
                order.shuffle(names)
                for name in names:
                    ops = work[name]
                    size = len(ops) // chunks
                    spent, each = variants[name][1](ops[index * size : (index + 1) * size])
                    elapsed[name] += spent
                    timings[name].extend(each)
            for name, (count, _run) in variants.items():
                size = count // chunks * chunks
                runs[name].append(round(size / (elapsed[name] / 1e9), 1))
            common.log(
                f"round {number}: "
                + ", ".join(f"{name} {runs[name][-1]:,.0f}/s" for name in variants)
            )
        summary = {}
        for name, each in timings.items():
            ratios = [
                rate / bare for rate, bare in zip(runs[name], runs["bare_evalsha"], strict=True)
            ]
            summary[name] = {
                "ops": len(each),
                "ops_per_s": statistics.median(runs[name]),
                "ops_per_s_each_round": runs[name],
                "ratio_to_bare": round(statistics.median(ratios), 3),
                "ratio_to_bare_each_round": [round(r, 3) for r in ratios],
                "p50_ms": round(percentile(each, 0.50) / 1e6, 4),
                "p99_ms": round(percentile(each, 0.99) / 1e6, 4),
                "max_ms": round(max(each) / 1e6, 3),
            }
        return summary

    # -- threads ----------------------------------------------------------------------------

    def threaded(self, threads: int) -> dict:
        """`threads` client threads in this process, sharing the store (its pool)."""
        result = {}
        for name, run in (
            ("bare_evalsha", self.run_bare),
            ("redis_claim", lambda ops: self.run_claim(self.redis, ops)),
        ):
            rates = []
            for _round in range(max(1, self.args.rounds // 2)):
                batches = [self.operations(self.args.ops // threads) for _ in range(threads)]
                gate = threading.Barrier(threads + 1)
                outputs = [None] * threads

                def work(index, batch, run=run, gate=gate, outputs=outputs):
                    gate.wait()
                    outputs[index] = run(batch)

                workers = [
                    threading.Thread(target=work, args=(i, b)) for i, b in enumerate(batches)
                ]
                for worker in workers:
                    worker.start()
                gate.wait()
                started = time.perf_counter()
                for worker in workers:
                    worker.join()
                elapsed = time.perf_counter() - started
                rates.append(sum(len(b) for b in batches) / elapsed)
                pooled = [t for _elapsed, each in outputs for t in each]
            result[name] = {
                "ops_per_s": round(statistics.median(rates), 1),
                "p50_ms": round(percentile(pooled, 0.50) / 1e6, 4),
                "p99_ms": round(percentile(pooled, 0.99) / 1e6, 4),
            }
        result["ratio"] = round(
            result["redis_claim"]["ops_per_s"] / result["bare_evalsha"]["ops_per_s"], 3
        )
        return result

    # -- where the time goes ----------------------------------------------------------------

    def anatomy(self) -> dict:
        """Each piece of the store's Python work timed alone, in µs per call."""
        store, seat, now, lease = self.redis, self.seats[0], datetime.now(UTC), self.lease
        held = [1, 1764409200000]
        refused = [0, 1764409200000, b"d7", 1764409200000, b""]
        args = store._slot_args(f"d{seat}", now, lease)
        key = store.slot_key(seat)
        packer = self.client.connection_pool.make_connection()  # never connected: packs only
        number = 200_000

        def us(statement) -> float:
            best = min(timeit.repeat(statement, number=number, repeat=5))
            return round(best / number * 1e6, 3)

        figures = {
            "slot_key": us(lambda: store.slot_key(seat)),
            "slot_args (datetime -> ms, timedelta -> ms)": us(
                lambda: store._slot_args("d1", now, lease)
            ),
            "reply -> SlotOutcome (held)": us(lambda: store._slot_outcome(held)),
            "reply -> SlotOutcome (refused: holder_seen datetime)": us(
                lambda: store._slot_outcome(refused)
            ),
            "_call guard (monotonic, try)": us(lambda: store._call(len, args)),
            "redis-py: pack EVALSHA of the claim": us(
                lambda: packer.pack_command("EVALSHA", store._claim.sha, 1, key, *args)
            ),
            "redis-py: pack EVALSHA of bare": us(
                lambda: packer.pack_command("EVALSHA", self.bare.sha, 1, key)
            ),
        }
        packer.disconnect()
        return figures

    def redis_time(self) -> dict:
        """Redis's own µs per call of each script (INFO commandstats deltas over a pass)."""
        result = {}
        for name, run in (
            ("bare_evalsha", self.run_bare),
            ("claim_script", lambda ops: self.run_claim(self.redis, ops)),
            ("heartbeat_script", lambda ops: self.run_heartbeat(self.redis, ops)),
        ):
            ops = self.operations(self.args.ops)
            before = self.client.info("commandstats").get("cmdstat_evalsha", {})
            run(ops)
            after = self.client.info("commandstats").get("cmdstat_evalsha", {})
            calls = after.get("calls", 0) - before.get("calls", 0)
            usec = after.get("usec", 0) - before.get("usec", 0)
            result[name] = round(usec / calls, 2) if calls else None
        return result

    def profile(self) -> list[dict]:
        """cProfile of store claims: the top functions by own time."""
        import cProfile
        import pstats

        ops = self.operations(self.args.ops)
        profiler = cProfile.Profile()
        profiler.enable()
        self.run_claim(self.redis, ops)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(row[2] for row in stats.stats.values())
        rows = []
        for (filename, line, function), (
            _cc,
            calls,
            tottime,
            _cum,
            _callers,
        ) in stats.stats.items():
            rows.append(
                {
                    "function": f"{_short(filename)}:{line}({function})",
                    "calls_per_op": round(calls / len(ops), 2),
                    "own_us_per_op": round(tottime / len(ops) * 1e6, 2),
                    "share": round(tottime / total, 3),
                }
            )
        rows.sort(key=lambda row: -row["own_us_per_op"])
        return rows[:15]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/work/main/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def markdown(result: dict) -> str:
    s, env = result["single_thread"], result["environment"]
    labels = [
        ("bare_evalsha", "bare `client.evalsha(sha, 1, key)` of `return 1` (the store's client)"),
        ("bare_script_object", "the same through redis-py's `Script` object"),
        ("script_claim", "claim script by EVALSHA, arguments encoded beforehand"),
        ("redis_claim", "**slot check (`slot_claim`), Redis store**"),
        ("script_heartbeat", "heartbeat script by EVALSHA, arguments encoded beforehand"),
        ("redis_heartbeat", "**heartbeat (`slot_heartbeat`), Redis store**"),
        ("database_claim", "**slot check, database store (PostgreSQL)**"),
        ("database_heartbeat", "**heartbeat, database store (PostgreSQL)**"),
        ("compared_claim", "slot check, Redis store, compared version (`--compare-store`)"),
        ("compared_heartbeat", "heartbeat, Redis store, compared version (`--compare-store`)"),
    ]
    lines = [
        "# Access: the reading slot through the store (bench/access_store.py)",
        "",
        f"{result['date']}, git {result['git']}, {env['cpus']} CPUs, load average "
        f"{env['load_before']} before / {env['load_after']} after (the machine is shared); "
        f"Redis {env['redis_version']}, {env['postgres']}, Python {env['python']}, redis-py "
        f"{env['redis_py']}; `broadsheet.settings.production` (store socket timeout "
        f"{env['redis_timeout_ms']} ms). {result['config']['seats']:,} seats, each slot held by "
        f"its own device; every call on a random seat, {OTHER_DEVICE_SHARE:.0%} of them from a "
        f"second device (refused). One client thread; {result['config']['rounds']} rounds of "
        f"{result['config']['ops']:,} calls per variant (database: "
        f"{result['config']['database_ops']:,}), interleaved in {result['config']['chunks']} "
        "chunks per round (every variant a chunk in turn, shuffled); "
        "ops/s is the median of the rounds, x bare the median of each round's ratio to the bare "
        "call of the same round, percentiles are over every call of every round.",
        "",
        "| call | ops/s | x bare | p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, label in labels:
        if name not in s:
            continue
        f = s[name]
        lines.append(
            f"| {label} | {f['ops_per_s']:,.0f} | {f['ratio_to_bare']:.2f} | "
            f"{f['p50_ms']:.3f} | {f['p99_ms']:.3f} | {f['max_ms']:.1f} |"
        )
    if result.get("threads"):
        t = result["threads"]
        lines += [
            "",
            f"{t['threads']} client threads in one process (the store's pool):",
            "",
            "| call | ops/s | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: |",
            *(
                f"| {label} | {t[name]['ops_per_s']:,.0f} | {t[name]['p50_ms']:.3f} | "
                f"{t[name]['p99_ms']:.3f} |"
                for name, label in (
                    ("bare_evalsha", "bare EVALSHA"),
                    ("redis_claim", "slot check, Redis store"),
                )
            ),
            "",
            f"Ratio with {t['threads']} threads: {t['ratio']:.2f}.",
        ]
    lines += ["", "Where a store call's time goes:", ""]
    lines.append(
        "- Redis's own time per call (INFO commandstats, µs): "
        + ", ".join(f"{k} {v}" for k, v in result["redis_usec_per_call"].items())
        + "."
    )
    lines.append(
        "- The store's Python, each piece timed alone (µs per call): "
        + "; ".join(f"{k} {v}" for k, v in result["anatomy_us"].items())
        + "."
    )
    lines += [
        "",
        "Top functions by own time in a profiled pass of `slot_claim` (cProfile inflates "
        "Python-heavy code; read the shares, not the µs):",
        "",
        "| function | calls/op | own µs/op | share |",
        "| --- | ---: | ---: | ---: |",
    ]
    for row in result["profile"][:10]:
        lines.append(
            f"| `{row['function']}` | {row['calls_per_op']} | {row['own_us_per_op']} | "
            f"{row['share']:.1%} |"
        )
    lines += ["", "Targets (issue 4):", ""]
    for name, target in result["targets"].items():
        extra = (
            f" (bare EVALSHA's p99 in the same run: {target['bare_p99_ms']})"
            if "bare_p99_ms" in target
            else ""
        )
        lines.append(
            f"- {name}: {target['value']} — {'met' if target['met'] else 'NOT met'}{extra}"
        )
    if result["errors"]:
        lines.append(f"- store errors (timeouts) during the run: {result['errors']}")
    lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--ops", type=int, default=10_000, help="Redis calls per variant and round")
    parser.add_argument("--database-ops", type=int, default=1_000, help="database calls per round")
    parser.add_argument("--chunks", type=int, default=20, help="interleaved chunks per round")
    parser.add_argument("--threads", type=int, default=4, help="0: no multi-thread figure")
    parser.add_argument(
        "--compare-store",
        type=Path,
        help="another version of broadsheet/access/stores/redis.py to measure beside this one",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    load_before = load()
    common.ensure_content(args)
    os.environ.update(common.django_env(args))
    common.flush_redis(args.redis_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis
    from django.db import connection

    bench = Bench(args)
    try:
        bench.database.clear()
        bench.take_slots()
        single = bench.rounds()
        threads = bench.threaded(args.threads) if args.threads else None
        redis_usec = bench.redis_time()
        anatomy = bench.anatomy()
        profile = bench.profile()
    finally:
        bench.database.clear()
        common.flush_redis(args.redis_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = " ".join(cursor.fetchone()[0].split()[:2])
    from django.conf import settings

    targets = {}
    for op in ("claim", "heartbeat"):
        f = single[f"redis_{op}"]
        targets[f"redis_{op}_at_least_{TARGET_RATIO:.0%}_of_bare"] = {
            "value": f["ratio_to_bare"],
            "met": f["ratio_to_bare"] >= TARGET_RATIO,
        }
        targets[f"redis_{op}_p99_under_{TARGET_P99_MS:g}ms"] = {
            "value": f["p99_ms"],
            "met": f["p99_ms"] < TARGET_P99_MS,
            "bare_p99_ms": single["bare_evalsha"]["p99_ms"],
        }
    result = {
        "benchmark": "access_store",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "environment": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": load(),
            "python": platform.python_version(),
            "redis_py": redis.__version__,
            "redis_version": bench.client.info("server")["redis_version"],
            "postgres": postgres,
            "redis_timeout_ms": settings.ACCESS_REDIS_TIMEOUT_MS,
        },
        "config": {
            "seats": len(bench.seats),
            "rounds": args.rounds,
            "ops": args.ops,
            "database_ops": args.database_ops,
            "chunks": args.chunks,
            "compared_store": str(args.compare_store or ""),
            "other_device_share": OTHER_DEVICE_SHARE,
            "redis_url": args.redis_url,
            "database": args.database,
        },
        "single_thread": single,
        "threads": ({"threads": args.threads} | threads) if threads else None,
        "redis_usec_per_call": redis_usec,
        "anatomy_us": anatomy,
        "profile": profile,
        "targets": targets,
        "errors": bench.errors,
    }
    text = markdown(result)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "access_store.json").write_text(json.dumps(result, indent=2) + "\n")
        (RESULTS / "access_store.md").write_text(text)
        print("written: bench/results/access_store.json, bench/results/access_store.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
