#!/usr/bin/env python3
"""Load benchmark of the pages anonymous readers hit, under production settings.

    .venv/bin/python bench/load_pages.py --articles 1000
    .venv/bin/python bench/load_pages.py --articles 100000

What it does (see bench/README.md for how to read the figures):
 1. a PostgreSQL database broadsheet_bench_<N> (created, migrated, filled with N articles by
    `manage.py generate_articles`, reused when it already holds N);
 2. gunicorn (deploy/gunicorn.conf.py, production settings, Redis page cache), Varnish in front
    of it (deploy/varnish/default.vcl) and nginx serving a saved copy of the article page
    (deploy/nginx/static-baseline.conf), every one on a free port of 127.0.0.1;
 3. wrk against nginx (the baseline), gunicorn directly (the Django page cache) and Varnish,
    for the newest article, the edition home and the busiest tag, several interleaved runs;
 4. cold pages: one connection, one request at a time, pages not in any cache;
 5. prints the figures and writes bench/results/load_pages-<N>.json and load_pages.md.

Everything it starts is stopped at the end, on errors and on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from broadsheet.tests.topology import backend_vcl  # noqa: E402  (the VCL the tests run too)

sys.path.insert(0, str(ROOT / "bench"))
from revision import git_commit  # noqa: E402  (bench/revision.py)

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
NGINX_CONF = ROOT / "deploy" / "nginx" / "static-baseline.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"

# A returning reader's cookie: a well-formed id, the same on every request (their meter runs
# out after a few requests, so most of these meet the wall, decided per request all the same).
RETURNING = "Cookie: bs_reader=0123456789abcdef0123456789abcdef"
CRAWLER = "User-Agent: Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
READERS = [
    ("free_new", "free_article", ()),
    ("free_returning", "free_article", (RETURNING,)),
    ("metered_new", "metered_article", ()),
    ("metered_returning", "metered_article", (RETURNING,)),
    ("metered_bad_cookie", "metered_article", ("Cookie: bs_reader=x",)),
    ("subscribers_anonymous", "subscribers_article", ()),
    ("crawler", "metered_article", (CRAWLER,)),
]

# Targets from the performance issue, checked and reported (never asserted).
TARGET_RATIO_TO_STATIC = 0.10
TARGET_P99_MS = 50.0
TARGET_COLD_MEDIAN_MS = 10.0
TARGET_HOLE_CPU_US = 300
TARGET_SCALE_FACTOR = 1.5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(Exception):
    pass


# --- processes -------------------------------------------------------------------------------


class Services:
    """Every long-running process this script starts; stop_all() ends them, newest first."""

    def __init__(self) -> None:
        self.started: list[tuple[str, subprocess.Popen, int]] = []

    def start(
        self,
        name: str,
        args: list[str],
        *,
        env=None,
        log_path: Path,
        stop_signal=signal.SIGTERM,
        cwd=ROOT,
    ):
        log_file = open(log_path, "ab")
        process = subprocess.Popen(
            [str(a) for a in args],
            cwd=cwd,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Own process group: Ctrl-C reaches only this script, which then stops the services
            # in order; killpg also reaches the workers they forked.
            start_new_session=True,
        )
        log_file.close()
        self.started.append((name, process, stop_signal))
        return process

    def group_of(self, name: str) -> int:
        """The process group of a service: its own pid (start_new_session)."""
        return next(process.pid for entry_name, process, _sig in self.started if entry_name == name)

    def stop(self, process: subprocess.Popen, stop_signal: int, name: str) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, stop_signal)
            process.wait(timeout=15)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop in 15 s; killing it")
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)

    def stop_named(self, name: str) -> None:
        for entry in list(self.started):
            if entry[0] == name:
                self.stop(entry[1], entry[2], name)
                self.started.remove(entry)

    def stop_all(self) -> None:
        while self.started:
            name, process, stop_signal = self.started.pop()
            self.stop(process, stop_signal, name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(*, group: int | None = None, name: str | None = None) -> float:
    """CPU time used so far by a process group (a service and the workers it forked; reaped
    children included) or by every process of that command name. Noisy neighbours on the
    machine change req/s, much less the CPU a request costs: both are reported."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        fields = _proc_stat(pid)
        if fields is None:
            continue
        if group is not None and int(fields[2]) != group:
            continue
        if name is not None:
            try:
                with open(f"/proc/{pid}/comm") as comm:
                    if comm.read().strip() != name:
                        continue
            except OSError:
                continue
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / _CLOCK_TICKS


def cpu_of_pids(pids) -> dict[int, float]:
    result = {}
    for pid in pids:
        fields = _proc_stat(str(pid))
        if fields is not None:
            result[pid] = sum(int(value) for value in fields[11:13]) / _CLOCK_TICKS
    return result


def database_backend_pids(args) -> list[int]:
    """The PostgreSQL server processes serving the bench database (the web workers' connections)."""
    import psycopg

    with psycopg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname="postgres", autocommit=True
    ) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (args.database,)
        ).fetchall()
    return [pid for (pid,) in rows]


def run(
    args: list, *, env=None, timeout: float, capture: bool = False, what: str = "", cwd: Path = ROOT
) -> str:
    label = what or " ".join(map(str, args[:4]))
    started = time.monotonic()
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        timeout=timeout,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or "")[-3000:] if capture else ""
        raise BenchError(f"{label} failed (exit {result.returncode})\n{detail}")
    if not capture:
        log(f"{label}: done in {time.monotonic() - started:.0f} s")
    return result.stdout if capture else ""


def http_get(port: int, path: str, *, headers=None, timeout: float = 30.0):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_up(
    port: int, path: str, process: subprocess.Popen, name: str, log_path: Path, timeout: float = 60
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited ({process.returncode}); log:\n{tail(log_path)}")
        try:
            status, _headers, _body = http_get(port, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(
        f"{name} did not answer 200 on {path} within {timeout:.0f} s; log:\n{tail(log_path)}"
    )


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- database and content -----------------------------------------------------------------


def django_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="broadsheet.settings.production",
        SECRET_KEY=args.secret_key,
        DATABASE_URL=f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.database}",
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=args.cache_prefix,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PAGE_CACHE_FRONT_PROXIES="",
        PYTHONUNBUFFERED="1",
        BENCH_APP_DIR=str(args.app_dir),
    )
    return env


def ensure_database(args) -> None:
    import psycopg

    with psycopg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (args.database,)
        ).fetchone()
        if exists and args.fresh:
            log(f"dropping database {args.database} (--fresh)")
            connection.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
            exists = None
        if not exists:
            log(f"creating database {args.database}")
            connection.execute(f'CREATE DATABASE "{args.database}"')


def helper(args, env, *command, timeout: float = 600) -> dict:
    output = run(
        [PYTHON, BENCH / "_django_helpers.py", *command],
        env=env,
        timeout=timeout,
        capture=True,
        what=f"helper {command[0]}",
        cwd=args.app_dir,
    )
    return json.loads(output.strip().splitlines()[-1])


def ensure_content(args, env) -> int:
    manage = [PYTHON, args.app_dir / "manage.py"]
    run(
        [*manage, "migrate", "--no-input", "-v", "0"],
        env=env,
        timeout=1200,
        what="migrate",
        cwd=args.app_dir,
    )
    run(
        [*manage, "setup_newsroom", "--hostname", "localhost", "--port", "80"],
        env=env,
        timeout=300,
        what="setup_newsroom",
        cwd=args.app_dir,
    )
    # Production settings serve static files through a manifest; templates need it to render.
    run(
        [*manage, "collectstatic", "--no-input", "-v", "0"],
        env=env,
        timeout=300,
        what="collectstatic",
        cwd=args.app_dir,
    )
    have = helper(args, env, "count", "--edition", args.edition)["articles"]
    if have >= args.articles:
        log(
            f"database {args.database} already holds {have} live articles in {args.edition}: reused"
        )
        vacuum_analyze(args)
        return have
    missing = args.articles - have
    log(f"generating {missing} articles (have {have}) with manage.py generate_articles")
    run(
        [*manage, "generate_articles", str(missing), "--edition", args.edition],
        env=env,
        timeout=args.setup_timeout,
        what="generate_articles",
        cwd=args.app_dir,
    )
    have = helper(args, env, "count", "--edition", args.edition)["articles"]
    if have < args.articles:
        raise BenchError(f"asked for {args.articles} articles, the edition has {have}")
    vacuum_analyze(args)
    return have


def vacuum_analyze(args) -> None:
    """What autovacuum does some minutes after a bulk load. Before it, PostgreSQL plans with
    empty statistics: "latest articles" scans and sorts the whole edition instead of reading
    the newest rows off an index, which would be measuring the load, not the site."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(
        host=args.pg_host,
        port=args.pg_port,
        user=args.pg_user,
        dbname=args.database,
        autocommit=True,
    ) as connection:
        connection.execute("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE): done in {time.monotonic() - started:.0f} s")


# --- measuring ----------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise BenchError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> dict:
    def grab(pattern, cast=float, default=None):
        match = re.search(pattern, output)
        return cast(match.group(1)) if match else default

    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M)}
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": grab(r"Requests/sec:\s+([\d.]+)"),
        "requests": grab(r"(\d+) requests in", int),
        "p50_ms": latency.get("50"),
        "p90_ms": latency.get("90"),
        "p99_ms": latency.get("99"),
        "non_2xx": grab(r"Non-2xx or 3xx responses: (\d+)", int, 0),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def run_wrk(
    args, url: str, server_group: int, headers: tuple[str, ...] = (), app_group: int | None = None
) -> dict:
    server_before, redis_before = cpu_seconds(group=server_group), cpu_seconds(name="redis-server")
    app_before = cpu_seconds(group=app_group) if app_group else 0.0
    wrk_before = os.times()
    output = run(
        [
            "wrk",
            f"-t{args.wrk_threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            "--timeout",
            "5s",
            *[part for header in headers for part in ("-H", header)],
            url,
        ],
        timeout=args.duration + 60,
        capture=True,
        what="wrk",
    )
    wrk_after = os.times()
    with open(args.logdir / "wrk.log", "a") as wrk_log:
        wrk_log.write(f"--- {time.strftime('%H:%M:%S')} {url}\n{output}\n")
    result = parse_wrk(output)
    if result["rps"] is None or not result["requests"]:
        raise BenchError(f"wrk printed no figures:\n{output}")
    if None in (result["p50_ms"], result["p99_ms"]):
        raise BenchError(f"wrk printed no latency distribution:\n{output}")
    per_request = 1e6 / result["requests"]
    result["server_cpu_us"] = round(
        (cpu_seconds(group=server_group) - server_before) * per_request, 1
    )
    # Through Varnish: what Django spent on the request (its holes), per request.
    result["app_cpu_us"] = (
        round((cpu_seconds(group=app_group) - app_before) * per_request, 1) if app_group else None
    )
    # Redis is shared with whatever else runs on the machine: an upper bound.
    result["redis_cpu_us"] = round(
        (cpu_seconds(name="redis-server") - redis_before) * per_request, 1
    )
    wrk_cpu = (wrk_after.children_user - wrk_before.children_user) + (
        wrk_after.children_system - wrk_before.children_system
    )
    result["wrk_cpu_us"] = round(wrk_cpu * per_request, 1)
    result["load_average"] = round(os.getloadavg()[0], 2)
    return result


def check_readers(port: int, urls: dict) -> None:
    """Every kind of anonymous reader gets the page from Varnish's cache, and the metered
    body decided for them: a new or bad-cookie reader is given a reader id."""
    for name, page, headers in READERS:
        if not urls.get(page):
            continue
        request_headers = dict(header.split(": ", 1) for header in headers)
        http_get(port, urls[page], headers=request_headers)
        status, got, body = http_get(port, urls[page], headers=request_headers)
        if status != 200 or got.get("X-Cache") != "HIT":
            raise BenchError(f"{name}: {status}, X-Cache {got.get('X-Cache')!r}: not a cached 200")
        if b"<esi:include" in body:
            raise BenchError(f"{name}: a hole reached the reader unfilled")
        minted = "bs_reader=" in got.get("Set-Cookie", "")
        should_mint = page != "free_article" and "bs_reader=0" not in " ".join(headers)
        if minted != should_mint:
            raise BenchError(f"{name}: Set-Cookie {got.get('Set-Cookie')!r}")


def summarise(runs: list[dict]) -> dict:
    def median(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(statistics.median(values), 3) if values else None

    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p90_ms": median("p90_ms"),
        "p99_ms": median("p99_ms"),
        "server_cpu_us": median("server_cpu_us"),
        "redis_cpu_us": median("redis_cpu_us"),
        "app_cpu_us": median("app_cpu_us"),
        "wrk_cpu_us": median("wrk_cpu_us"),
        "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs),
        "runs": runs,
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def latency_summary(samples: list[float]) -> dict:
    return {
        "samples": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(percentile(samples, 0.90), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "max_ms": round(max(samples), 2),
    }


class Purger:
    """Makes the edition's cached pages stale the way a publish does: by replacing the
    generation token (here: deleting it, so the next miss mints a new one)."""

    def __init__(self, args):
        import redis

        self.client = redis.Redis.from_url(args.redis_url)
        self.key = f"{args.cache_prefix}:1:pagecache:generation:{args.edition}"

    def purge(self) -> None:
        self.client.delete(self.key)

    def token(self) -> bytes | None:
        return self.client.get(self.key)


def forget_cache(args) -> None:
    """Drop what the run left in Redis (pages, generation tokens kept for 30 days)."""
    import redis

    try:
        client = redis.Redis.from_url(args.redis_url)
        keys = list(client.scan_iter(match=f"{args.cache_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    except redis.RedisError as error:
        log(f"could not clear the bench's cache keys: {error}")


def timed_get(port: int, path: str, connection_holder: list) -> tuple[float, int, str]:
    """One GET on a kept-alive connection (reopened if the server closed it); ms, status."""
    for attempt in (1, 2):
        if not connection_holder:
            connection_holder.append(http.client.HTTPConnection(HOST, port, timeout=30))
        connection = connection_holder[0]
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            connection.close()
            connection_holder.clear()
            if attempt == 2:
                raise
            continue
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection_holder.clear()
        return elapsed, response.status, response.getheader("X-Page-Cache", "")
    raise AssertionError("unreachable")


class CpuMeter:
    """CPU spent by the web server and by its PostgreSQL backends between start() and stop():
    what a page costs, whatever else the machine is doing."""

    def __init__(self, args, server_group: int):
        self.args, self.server_group = args, server_group

    def start(self) -> None:
        self.server = cpu_seconds(group=self.server_group)
        self.database = cpu_of_pids(database_backend_pids(self.args))

    def stop(self, requests: int) -> dict:
        server = cpu_seconds(group=self.server_group) - self.server
        after = cpu_of_pids(database_backend_pids(self.args))
        database = sum(value - self.database.get(pid, 0.0) for pid, value in after.items())
        return {
            "app_cpu_ms": round(server * 1000 / requests, 2),
            "db_cpu_ms": round(database * 1000 / requests, 2),
        }


def measure_cold(args, port: int, urls: dict, purger: Purger, meter: CpuMeter) -> dict:
    """Pages no cache holds, one request at a time on one connection."""
    holder: list = []
    results = {}
    # Every worker and thread opens its database connection and fills its own per-process
    # caches on its first requests: do that before measuring, on pages not measured.
    purger.purge()
    for number in range(args.warmup_requests):
        timed_get(port, urls["article" if number % 2 else "home"], holder)
        purger.purge()
    samples, misses = [], 0
    meter.start()
    for path in urls["cold_articles"]:
        elapsed, status, cache_state = timed_get(port, path, holder)
        if status != 200:
            raise BenchError(f"cold article {path} answered {status}")
        misses += cache_state == "miss"
        samples.append(elapsed)
    results["article"] = (
        latency_summary(samples) | {"page_cache_misses": misses} | meter.stop(len(samples))
    )
    for name in ("home", "tag"):
        if not urls.get(name):
            continue
        samples = []
        meter.start()
        for _ in range(args.cold_listing_samples):
            purger.purge()  # every request a miss: as right after a publish
            elapsed, status, cache_state = timed_get(port, urls[name], holder)
            if status != 200 or cache_state != "miss":
                raise BenchError(f"cold {name} answered {status}, X-Page-Cache {cache_state!r}")
            samples.append(elapsed)
        results[name] = latency_summary(samples) | meter.stop(len(samples))
    for connection in holder:
        connection.close()
    return results


# --- the run ------------------------------------------------------------------------------


def git_revision(app_dir: Path) -> str:
    try:
        # A plain copy of a work tree (--app-dir) has no .git: name what it was copied from.
        return git_commit(app_dir) or f"{git_commit() or 'unknown'} (copy in {app_dir})"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def tool_versions() -> dict:
    def first_line(args):
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=10)
            return (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return "unknown"

    return {
        "python": platform.python_version(),
        "nginx": first_line(["nginx", "-v"]),
        "varnish": first_line(["varnishd", "-V"]),
        "wrk": first_line(["wrk", "-v"]),
        "gunicorn": first_line([GUNICORN, "--version"]),
    }


def bench(args, services: Services, workdir: Path, logdir: Path) -> dict:
    env = django_env(args)
    ensure_database(args)
    articles_in_db = ensure_content(args, env)
    urls = helper(args, env, "urls", "--edition", args.edition, "--cold", str(args.cold_samples))
    log(
        f"article {urls['article']}, home {urls['home']}, "
        f"tag {urls['tag']} ({urls['tag_articles']} articles)"
    )

    # gunicorn: production settings, as deployed.
    gunicorn_port = free_port()
    gunicorn_env = env | {"GUNICORN_BIND": f"{HOST}:{gunicorn_port}"}
    if args.workers:
        gunicorn_env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        gunicorn_env["GUNICORN_THREADS"] = str(args.threads)
    gunicorn_log = logdir / "gunicorn.log"
    process = services.start(
        "gunicorn",
        [GUNICORN, "-c", GUNICORN_CONF],
        env=gunicorn_env,
        log_path=gunicorn_log,
        stop_signal=signal.SIGINT,
        cwd=args.app_dir,
    )
    wait_until_up(gunicorn_port, "/healthz", process, "gunicorn", gunicorn_log)
    log(f"gunicorn up on {gunicorn_port}")

    # Warm the Django page cache and check each page is what we think it is.
    purger = Purger(args)
    purger.purge()
    page_sizes = {}
    for name in ("article", "home", "tag"):
        path = urls.get(name)
        if not path:
            continue
        # Retried: other work on a shared Redis (a flush, a restart) can drop a page between
        # the two requests; a page that never comes back as a hit is a real problem.
        for _attempt in range(3):
            status, _headers, body = http_get(gunicorn_port, path)
            status2, headers2, _ = http_get(gunicorn_port, path)
            if status == status2 == 200 and headers2.get("X-Page-Cache") == "hit":
                break
            time.sleep(1)
        else:
            raise BenchError(
                f"{path}: {status}/{status2}, X-Page-Cache {headers2.get('X-Page-Cache')!r};"
                " expected a cached 200"
            )
        page_sizes[name] = len(body)

    # The baseline: nginx serving the very same bytes of the article page from disk.
    _status, _headers, article_body = http_get(gunicorn_port, urls["article"])
    nginx_dir = workdir / "nginx"
    (nginx_dir / "html").mkdir(parents=True)
    (nginx_dir / "tmp").mkdir()
    (nginx_dir / "html" / "article.html").write_bytes(article_body)
    for path in (workdir, nginx_dir, nginx_dir / "html"):
        path.chmod(0o755)
    (nginx_dir / "html" / "article.html").chmod(0o644)
    nginx_port = free_port()
    conf = NGINX_CONF.read_text().replace("listen 127.0.0.1:8080;", f"listen {HOST}:{nginx_port};")
    (nginx_dir / "nginx.conf").write_text(conf)
    nginx_log = logdir / "nginx.log"
    process = services.start(
        "nginx",
        ["nginx", "-p", nginx_dir, "-c", nginx_dir / "nginx.conf", "-e", "stderr"],
        log_path=nginx_log,
        stop_signal=signal.SIGTERM,
    )
    wait_until_up(nginx_port, urls["article"], process, "nginx", nginx_log)
    log(f"nginx (static baseline, {len(article_body)} bytes) up on {nginx_port}")

    gunicorn_group = services.group_of("gunicorn")
    targets = [("nginx_static", nginx_port, urls["article"], services.group_of("nginx"), ())]
    targets += [
        (f"gunicorn_{name}", gunicorn_port, urls[name], gunicorn_group, ())
        for name in ("article", "home", "tag")
        if urls.get(name)
    ]

    if not args.no_varnish:
        varnish_port = free_port()
        varnish_dir = workdir / "varnish"
        varnish_dir.mkdir()
        varnish_dir.chmod(0o755)
        (varnish_dir / "default.vcl").write_text(backend_vcl(host=HOST, port=gunicorn_port))
        varnish_log = logdir / "varnish.log"
        process = services.start(
            "varnish",
            [
                "varnishd",
                "-F",
                "-n",
                varnish_dir / "state",
                "-a",
                f"{HOST}:{varnish_port}",
                "-f",
                varnish_dir / "default.vcl",
                "-s",
                "malloc,256m",
            ],
            log_path=varnish_log,
            stop_signal=signal.SIGTERM,
        )
        wait_until_up(varnish_port, urls["article"], process, "varnish", varnish_log)
        for name in ("article", "home", "tag"):
            if urls.get(name):
                http_get(varnish_port, urls[name])
                _status, headers, _ = http_get(varnish_port, urls[name])
                if headers.get("X-Cache") != "HIT":
                    raise BenchError(f"Varnish does not cache {urls[name]} (headers {headers})")
        check_readers(varnish_port, urls)
        log(f"varnish up on {varnish_port}, pages cached")
        varnish_group = services.group_of("varnish")
        targets += [
            (f"varnish_{name}", varnish_port, urls[name], varnish_group, ())
            for name in ("article", "home", "tag")
            if urls.get(name)
        ]
        # Each kind of anonymous reader on each access level: all served from the shared
        # cache, the metered and gated bodies decided per request by Django's body hole.
        targets += [
            (f"varnish_{name}", varnish_port, urls[page], varnish_group, headers)
            for name, page, headers in READERS
            if urls.get(page)
        ]

    # Interleaved: each round hits every target once, so a noisy neighbour spreads over all.
    raw: dict[str, list] = {name: [] for name, _port, _path, _group, _headers in targets}
    load_before = os.getloadavg()
    for round_number in range(1, args.runs + 1):
        for name, port, path, group, headers in targets:
            for _attempt in (1, 2):
                http_get(port, path)  # the page is in the cache when the run starts
                token = purger.token()
                result = run_wrk(
                    args,
                    f"http://{HOST}:{port}{path}",
                    group,
                    headers,
                    app_group=gunicorn_group if name.startswith("varnish") else None,
                )
                # Redis is shared: if someone flushed it during a run against Django, pages
                # were rendered instead of served from the cache. Such a run is done again.
                result["cache_lost"] = name.startswith("gunicorn") and (
                    token is None or purger.token() != token
                )
                if not result["cache_lost"]:
                    break
                log(f"round {round_number} {name}: the page cache was emptied during the run")
            raw[name].append(result)
            log(
                f"round {round_number}/{args.runs} {name:<17} {result['rps']:>8.0f} req/s"
                f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:7.2f} ms"
                f"  cpu/req: server {result['server_cpu_us']:.0f} us,"
                f" redis {result['redis_cpu_us']:.0f} us"
                f"  (load {result['load_average']})"
            )
    throughput = {name: summarise(runs) for name, runs in raw.items()}

    # Cold pages straight from gunicorn; Varnish is not needed any more.
    services.stop_named("varnish")
    cold = measure_cold(args, gunicorn_port, urls, purger, CpuMeter(args, gunicorn_group))
    for name, figures in cold.items():
        log(
            f"cold {name}: median {figures['median_ms']} ms, p99 {figures['p99_ms']} ms"
            f" over {figures['samples']};"
            f" CPU per page: app {figures['app_cpu_ms']} ms, PostgreSQL {figures['db_cpu_ms']} ms"
        )

    static_rps = throughput["nginx_static"]["rps"]
    ratios = {
        name: round(summary["rps"] / static_rps, 4)
        for name, summary in throughput.items()
        if name != "nginx_static"
    }
    # What the throughput ratio would be if the server had the CPUs to itself: static CPU cost
    # per request over this page's (server, plus Redis for the Django page cache).
    static_cpu = throughput["nginx_static"]["server_cpu_us"]
    cpu_ratios = {
        name: round(
            static_cpu
            / (
                summary["server_cpu_us"]
                + (summary["redis_cpu_us"] if name.startswith("gunicorn") else 0)
            ),
            4,
        )
        for name, summary in throughput.items()
        if name != "nginx_static" and summary["server_cpu_us"]
    }
    return {
        "benchmark": "load_pages",
        "articles": args.articles,
        "articles_in_db": articles_in_db,
        "edition": args.edition,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_revision(args.app_dir),
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        },
        "tools": tool_versions(),
        "config": {
            "wrk": f"-t{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency",
            "runs": args.runs,
            "gunicorn": {
                "workers": gunicorn_env.get("WEB_CONCURRENCY", "default (deploy/gunicorn.conf.py)"),
                "threads": gunicorn_env.get(
                    "GUNICORN_THREADS", "default (deploy/gunicorn.conf.py)"
                ),
            },
            "database": args.database,
            "page_cache_seconds": 300,
        },
        "urls": {k: v for k, v in urls.items() if k != "cold_articles"},
        "page_bytes": page_sizes,
        "throughput": throughput,
        "ratio_to_static": ratios,
        "cpu_ratio_to_static": cpu_ratios,
        "cold": cold,
    }


def evaluate(result: dict, other: dict | None) -> dict:
    t = result["throughput"]
    targets = {}
    for via in ("gunicorn", "varnish"):
        name = f"{via}_article"
        if name in t:
            ratio = result["ratio_to_static"][name]
            targets[f"{name}_ratio_ge_{TARGET_RATIO_TO_STATIC}"] = {
                "value": ratio,
                "met": ratio >= TARGET_RATIO_TO_STATIC,
            }
            cpu_ratio = result.get("cpu_ratio_to_static", {}).get(name)
            if cpu_ratio is not None:
                targets[f"{name}_cpu_ratio_ge_{TARGET_RATIO_TO_STATIC} (informative)"] = {
                    "value": cpu_ratio,
                    "met": cpu_ratio >= TARGET_RATIO_TO_STATIC,
                }
            targets[f"{name}_p99_lt_{TARGET_P99_MS:g}ms"] = {
                "value": t[name]["p99_ms"],
                "met": t[name]["p99_ms"] < TARGET_P99_MS,
            }
    for name, _page, _headers in READERS:
        key = f"varnish_{name}"
        if key not in t:
            continue
        ratio = result["ratio_to_static"][key]
        targets[f"{key}_ratio_ge_{TARGET_RATIO_TO_STATIC}"] = {
            "value": ratio,
            "met": ratio >= TARGET_RATIO_TO_STATIC,
        }
        targets[f"{key}_p99_lt_{TARGET_P99_MS:g}ms"] = {
            "value": t[key]["p99_ms"],
            "met": t[key]["p99_ms"] < TARGET_P99_MS,
        }
    for key in ("varnish_metered_new", "varnish_metered_returning"):
        if key in t and t[key].get("app_cpu_us") is not None:
            targets[f"{key}_hole_app_cpu_le_{TARGET_HOLE_CPU_US}us"] = {
                "value": t[key]["app_cpu_us"],
                "met": t[key]["app_cpu_us"] <= TARGET_HOLE_CPU_US,
            }
    cold_median = result["cold"]["article"]["median_ms"]
    targets[f"cold_article_median_lt_{TARGET_COLD_MEDIAN_MS:g}ms"] = {
        "value": cold_median,
        "met": cold_median < TARGET_COLD_MEDIAN_MS,
    }
    if other:
        small, large = sorted([result, other], key=lambda r: r["articles"])
        factors = scale_factors(small, large)
        worst = max(factors.values())
        targets[
            f"scale_{small['articles']}_vs_{large['articles']}_within_{TARGET_SCALE_FACTOR}x"
        ] = {"value": round(worst, 2), "met": worst <= TARGET_SCALE_FACTOR, "factors": factors}
    return targets


def scale_factors(small: dict, large: dict) -> dict:
    """How much worse the large database is, per figure (>1 = slower)."""
    factors = {}
    for name, summary in small["throughput"].items():
        if name in large["throughput"] and name != "nginx_static":
            factors[f"{name}_rps"] = round(summary["rps"] / large["throughput"][name]["rps"], 2)
    for name, summary in small["cold"].items():
        if name in large["cold"]:
            factors[f"cold_{name}_median"] = round(
                large["cold"][name]["median_ms"] / summary["median_ms"], 2
            )
            small_cpu = summary.get("app_cpu_ms", 0) + summary.get("db_cpu_ms", 0)
            large_cpu = large["cold"][name].get("app_cpu_ms", 0) + large["cold"][name].get(
                "db_cpu_ms", 0
            )
            if small_cpu and large_cpu:
                factors[f"cold_{name}_cpu"] = round(large_cpu / small_cpu, 2)
    return factors


# --- reporting ----------------------------------------------------------------------------

LABELS = {
    "nginx_static": "nginx, static copy of the article (baseline)",
    "gunicorn_article": "article, gunicorn direct (Django page cache)",
    "gunicorn_home": "edition home, gunicorn direct (Django page cache)",
    "gunicorn_tag": "tag page, gunicorn direct (Django page cache)",
    "varnish_article": "article, through Varnish",
    "varnish_home": "edition home, through Varnish",
    "varnish_tag": "tag page, through Varnish",
    "varnish_free_new": "free article, new reader (no cookie), through Varnish",
    "varnish_free_returning": "free article, returning reader, through Varnish",
    "varnish_metered_new": "metered article, new reader (no cookie), through Varnish",
    "varnish_metered_returning": "metered article, returning reader, through Varnish",
    "varnish_metered_bad_cookie": "metered article, invalid cookie, through Varnish",
    "varnish_subscribers_anonymous": "subscribers-only article, anonymous, through Varnish",
    "varnish_crawler": "metered article, crawler user agent, through Varnish",
}


def _row(*cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def markdown_section(result: dict) -> str:
    n = result["articles"]
    machine, config = result["machine"], result["config"]
    lines = [
        f"<!-- load_pages:{n}:start -->",
        f"## {n:,} articles",
        "",
        f"{result['date']}, git {result['git']}, {machine['cpus']} CPUs, load average "
        f"{machine['load_before'][0]} before / {machine['load_after'][0]} after; "
        f"wrk {config['wrk']}, median of {config['runs']} interleaved runs; "
        f"gunicorn workers {config['gunicorn']['workers']}, "
        f"threads {config['gunicorn']['threads']}. "
        f"Article page {result['page_bytes'].get('article', 0):,} bytes; tag page lists "
        f"{result['urls']['tag_articles']:,} articles.",
        "",
        _row(
            "what", "req/s", "x static", "p50 ms", "p90 ms", "p99 ms", "errors",
            "server CPU µs/req", "Django CPU µs/req (behind Varnish)", "Redis CPU µs/req",
            "x static by CPU",
        ),
        _row("---", *["---:"] * 10),
    ]  # fmt: skip
    for name, summary in result["throughput"].items():
        baseline = name == "nginx_static"
        lines.append(
            _row(
                LABELS.get(name, name),
                f"{summary['rps']:,.0f}",
                "1" if baseline else _ratio(result["ratio_to_static"].get(name)),
                f"{summary['p50_ms']:.2f}",
                f"{summary['p90_ms']:.2f}",
                f"{summary['p99_ms']:.2f}",
                summary["errors"],
                f"{summary['server_cpu_us']:.0f}",
                "-" if summary.get("app_cpu_us") is None else f"{summary['app_cpu_us']:.0f}",
                f"{summary['redis_cpu_us']:.0f}",
                "1" if baseline else _ratio(result.get("cpu_ratio_to_static", {}).get(name)),
            )
        )
    lines += [
        "",
        "Cold pages (nothing cached; one connection, one request at a time, gunicorn direct):",
        "",
        _row(
            "page", "samples", "median ms", "p90 ms", "p99 ms", "max ms",
            "app CPU ms/page", "PostgreSQL CPU ms/page",
        ),
        _row("---", *["---:"] * 7),
    ]  # fmt: skip
    for name, summary in result["cold"].items():
        lines.append(
            _row(
                name,
                summary["samples"],
                summary["median_ms"],
                summary["p90_ms"],
                summary["p99_ms"],
                summary["max_ms"],
                summary.get("app_cpu_ms", "-"),
                summary.get("db_cpu_ms", "-"),
            )
        )
    lines += ["", "Targets:", ""]
    for name, target in result["targets"].items():
        lines.append(f"- {name}: {target['value']} — {'met' if target['met'] else 'NOT met'}")
        if "factors" in target:
            lines.append("  - " + ", ".join(f"{k} {v}" for k, v in target["factors"].items()))
    lines += ["", f"<!-- load_pages:{n}:end -->"]
    return "\n".join(lines)


def write_results(result: dict) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / f"load_pages-{result['articles']}.json"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    md_path = RESULTS / "load_pages.md"
    header = (
        "# Anonymous page load (bench/load_pages.py)\n\n"
        "Written by `bench/load_pages.py`; one section per article count, replaced on each run. "
        "How to read it: bench/README.md.\n"
    )
    text = md_path.read_text() if md_path.exists() else header
    section = markdown_section(result)
    pattern = re.compile(
        rf"<!-- load_pages:{result['articles']}:start -->.*?"
        rf"<!-- load_pages:{result['articles']}:end -->",
        re.S,
    )
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    md_path.write_text(text if text.endswith("\n") else text + "\n")
    return json_path, md_path


def other_result(articles: int) -> dict | None:
    """The run with the other article count (1k vs 100k), if one was written before."""
    candidates = []
    for path in RESULTS.glob("load_pages-*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("articles") != articles:
            candidates.append(data)
    if not candidates:
        return None
    target = 100_000 if articles < 100_000 else 1000
    return min(candidates, key=lambda d: abs(d["articles"] - target))


def print_summary(result: dict) -> None:
    print()
    print(markdown_section(result).split("\n", 2)[2].rsplit("\n", 1)[0])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=1000, help="articles in the edition (1000 or 100000)"
    )
    parser.add_argument("--edition", default="en-us")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per target (median reported)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--cold-samples", type=int, default=200, help="distinct uncached articles")
    parser.add_argument(
        "--cold-listing-samples", type=int, default=30, help="uncached home/tag requests"
    )
    parser.add_argument(
        "--warmup-requests", type=int, default=40, help="uncached requests before the cold figures"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers (default: deploy/gunicorn.conf.py)"
    )
    parser.add_argument("--threads", type=int, default=0, help="gunicorn threads per worker")
    parser.add_argument("--no-varnish", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--database", default="", help="default broadsheet_bench_<articles>")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--setup-timeout",
        type=int,
        default=4 * 3600,
        help="seconds allowed for generating articles",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print, do not write bench/results/"
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="run the app from this checkout (e.g. a git worktree of another revision);"
        " default: this one",
    )
    args = parser.parse_args(argv)
    args.app_dir = args.app_dir.resolve()
    args.database = args.database or f"broadsheet_bench_{args.articles}"
    args.cache_prefix = f"bench{args.articles}"
    # Production settings refuse to start without one; nothing signed outlives the run.
    args.secret_key = "bench-only-" + secrets.token_urlsafe(48)
    return args


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    for tool in ("wrk", "nginx", "varnishd"):
        if shutil.which(tool) is None and not (tool == "varnishd" and args.no_varnish):
            print(
                f"{tool} is not installed (apt-get install wrk nginx-light varnish)",
                file=sys.stderr,
            )
            return 2
    if not GUNICORN.exists():
        print("gunicorn is not in .venv (pip install -r requirements.txt)", file=sys.stderr)
        return 2

    # SIGTERM ends the run like Ctrl-C does: through the finally below.
    signal.signal(signal.SIGTERM, _interrupt)
    services = Services()
    workdir = Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    logdir = args.logdir = BENCH / "work" / f"load_pages-{args.articles}"
    shutil.rmtree(logdir, ignore_errors=True)
    logdir.mkdir(parents=True)
    try:
        result = bench(args, services, workdir, logdir)
    except KeyboardInterrupt:
        log("interrupted; stopping everything")
        return 130
    except (BenchError, subprocess.TimeoutExpired) as error:
        log(f"FAILED: {error}\n(logs in {logdir})")
        return 1
    except Exception:  # a bug here: still stop the servers (finally), then show it
        log(f"FAILED with an unexpected error (logs in {logdir})")
        raise
    finally:
        services.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
        forget_cache(args)

    other = other_result(args.articles)
    result["targets"] = evaluate(result, other)
    print_summary(result)
    if not args.no_write:
        json_path, md_path = write_results(result)
        if other:  # keep the other run's scale verdict in step with this one
            other["targets"] = evaluate(other, result)
            write_results(other)
        print(f"\nwritten: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
