#!/usr/bin/env python3
"""The subscribers-only article page for 10,000 distinct signed-in subscribers, through the
production front (Varnish + gunicorn, production settings, PostgreSQL, Redis), beside nginx
serving a static copy of the same page in the same run.

    .venv/bin/python bench/access_gated_page.py                    # ~5 minutes (+ setup once)
    .venv/bin/python bench/access_gated_page.py --runs 1 --duration 5 --no-write   # a look

1. Database `broadsheet_bench_access` (bench/access_common.py: created once, 10,000 readers each
   with an active Digital subscription and its seat; reused after), Redis database 14
   (`--redis-url`) for the cache, sessions (cached_db), the page cache and the slot store,
   emptied (FLUSHDB) at the start and at the end. The newest article of en-us is made
   subscribers-only.
2. One signed-in device per subscriber, written in bulk as a sign-in leaves it (a Device row and
   a session). Before each round the readers are put in the state of readers who have been
   reading (access_common.py `warm`): sessions and the users' facts in the cache, each
   entitlement cached, each device holding its seat's slot.
3. gunicorn (deploy/gunicorn.conf.py, production settings), Varnish with deploy/varnish/default.vcl
   in front of it (only the backend port rewritten, as the topology tests do), and nginx with
   deploy/nginx/static-baseline.conf serving the bytes of a subscriber's assembled page.
4. Per round, interleaved: wrk against nginx (the baseline), then wrk through Varnish with a Lua
   script that sends each request with the cookies of the next subscriber (10,000 browsers,
   each with its session, reader id and CSRF cookie, round robin over the threads) and reads
   every response: it counts those that carry the body (the slot holder's heartbeat marker and
   no notice or wall) and those that do not. Medians over the rounds.
5. A sample of whole responses read before and after (status, the article's text, the
   heartbeat marker, no wall nor notice, no other reader's address).

Checks, printed as met / NOT met (never asserted; issue 10): at least 0.03 of nginx's req/s,
p99 under 50 ms at 64 connections, every response carried the body, no errors. Writes
bench/results/access_gated_page.json and .md (with the commit) unless --no-write. Everything
started is stopped at the end (also on errors and Ctrl-C); logs and wrk output stay in
bench/work/access_gated_page/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import access_common as common
import load_pages as lp

ROOT = common.ROOT
RESULTS = common.RESULTS
TARGET_RATIO_TO_STATIC = 0.03
TARGET_P99_MS = 50.0
TARGET_CONNECTIONS = 64
# Only a slot holder's body carries it (access/holes.py); a wall or notice never does.
BODY_MARKER = 'class="access-heartbeat"'
NOT_BODY_MARKERS = ("device-notice", 'class="wall')

LUA = r"""
-- Each request carries the cookies of the next subscriber; every response is read.
local cookies = {}
for line in io.lines(COOKIES) do cookies[#cookies + 1] = line end
local threads = {}
local created = 0

function setup(thread)
  thread:set("id", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  position = OFFSET + id
  with_body = 0
  without_body = 0
end

function request()
  local cookie = cookies[(position % #cookies) + 1]
  position = position + THREADS
  return wrk.format("GET", PATH, { ["Cookie"] = cookie, ["X-Forwarded-Proto"] = "https" })
end

function response(status, headers, body)
  if status == 200 and string.find(body, BODY_MARKER, 1, true)
      and not string.find(body, NOTICE_MARKER, 1, true)
      and not string.find(body, WALL_MARKER, 1, true) then
    with_body = with_body + 1
  else
    without_body = without_body + 1
  end
end

function done(summary, latency, requests)
  local yes, no = 0, 0
  for _, thread in ipairs(threads) do
    yes = yes + thread:get("with_body")
    no = no + thread:get("without_body")
  end
  io.write(string.format("responses-with-body %d\nresponses-without-body %d\n", yes, no))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string literal for these values


def write_lua(path: Path, *, cookies: Path, url_path: str, threads: int, offset: int) -> None:
    header = (
        f"COOKIES = {lua_string(str(cookies))}\n"
        f"PATH = {lua_string(url_path)}\n"
        f"THREADS = {threads}\n"
        f"OFFSET = {offset}\n"
        f"BODY_MARKER = {lua_string(BODY_MARKER)}\n"
        f"NOTICE_MARKER = {lua_string(NOT_BODY_MARKERS[0])}\n"
        f"WALL_MARKER = {lua_string(NOT_BODY_MARKERS[1])}\n"
    )
    path.write_text(header + LUA)


def browser_cookies(session_key: str) -> str:
    """A subscriber's browser after a few pages: their session, the reader id Varnish gave
    them, the CSRF cookie of the sign-in form (the same every run for one session)."""
    seed = hashlib.blake2b(session_key.encode(), digest_size=32).hexdigest()
    return f"sessionid={session_key}; bs_reader={seed[:32]}; csrftoken={seed[32:64]}"


def run_wrk(args, *, port: int, url_path: str, script: Path | None, groups: dict) -> dict:
    threads = min(args.wrk_threads, args.connections)
    before = {name: lp.cpu_seconds(group=group) for name, group in groups.items()}
    redis_before = lp.cpu_seconds(name="redis-server")
    db_before = lp.cpu_of_pids(lp.database_backend_pids(args))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script is not None:
        command += ["-s", script]
    output = lp.run(
        [*command, f"http://{lp.HOST}:{port}{url_path}"],
        timeout=args.duration + 60,
        capture=True,
        what="wrk",
    )
    with open(args.logdir / "wrk.log", "a") as wrk_log:
        wrk_log.write(f"--- {time.strftime('%H:%M:%S')} :{port}{url_path}\n{output}\n")
    result = lp.parse_wrk(output)
    if not result["requests"] or result["p99_ms"] is None:
        raise lp.BenchError(f"wrk printed no figures:\n{output}")
    per_request = 1e6 / result["requests"]
    for name, group in groups.items():
        result[f"{name}_cpu_us"] = round((lp.cpu_seconds(group=group) - before[name]) * per_request)
    result["redis_cpu_us"] = round(
        (lp.cpu_seconds(name="redis-server") - redis_before) * per_request
    )
    db_after = lp.cpu_of_pids(lp.database_backend_pids(args))
    db_spent = sum(max(0.0, cpu - db_before.get(pid, 0.0)) for pid, cpu in db_after.items())
    result["postgres_cpu_us"] = round(db_spent * per_request)
    for line in output.splitlines():
        if line.startswith("responses-with"):
            name, count = line.split()
            result[name.replace("-", "_")] = int(count)
    result["load_average"] = round(os.getloadavg()[0], 2)
    return result


def check_sample(port: int, url_path: str, cookies: list[str], title: str, size: int) -> dict:
    """Whole responses of a sample of subscribers through Varnish: each must carry the body."""
    counts = {"requests": 0, "body": 0, "problems": []}
    for cookie in random.Random(size).sample(cookies, size):
        status, headers, body = lp.http_get(
            port, url_path, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"}
        )
        text = body.decode("utf-8", "replace")
        counts["requests"] += 1
        body_start = text.find('id="article-body"')
        ok = (
            status == 200
            and BODY_MARKER in text
            and not any(marker in text for marker in NOT_BODY_MARKERS)
            and title in text
            and "<esi:include" not in text
            and "bench-" not in text  # no reader's name or address in a shared page
            and text[body_start : body_start + 2000].count("<p") >= 1
        )
        if ok:
            counts["body"] += 1
        elif len(counts["problems"]) < 3:
            counts["problems"].append(
                {"status": status, "x_cache": headers.get("X-Cache"), "cookie": cookie[10:16]}
            )
    return counts


def summarise(runs: list[dict]) -> dict:
    def median(key):
        values = [run[key] for run in runs if run.get(key) is not None]
        return round(statistics.median(values), 2) if values else None

    keys = [k for k in runs[0] if k.endswith("_cpu_us")]
    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p90_ms": median("p90_ms"),
        "p99_ms": median("p99_ms"),
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["non_2xx"] + run["socket_errors"] for run in runs),
        "responses_with_body": sum(run.get("responses_with_body", 0) for run in runs),
        "responses_without_body": sum(run.get("responses_without_body", 0) for run in runs),
        **{key: median(key) for key in keys},
        "runs": runs,
    }


def start_varnish(services: lp.Services, args, *, backend_port: int, workdir: Path) -> int:
    port = lp.free_port()
    # varnishd reads the VCL as its own user.
    workdir.chmod(0o755)
    varnish_dir = workdir / "varnish"
    varnish_dir.mkdir()
    varnish_dir.chmod(0o755)
    vcl = varnish_dir / "default.vcl"
    vcl.write_text(lp.backend_vcl(host=lp.HOST, port=backend_port))
    vcl.chmod(0o644)
    log_path = args.logdir / "varnish.log"
    process = services.start(
        "varnish",
        [
            "varnishd",
            "-F",
            "-n",
            varnish_dir / "state",
            "-a",
            f"{lp.HOST}:{port}",
            "-f",
            vcl,
            "-s",
            "malloc,256m",
        ],
        log_path=log_path,
    )
    lp.wait_until_up(port, "/healthz", process, "varnish", log_path)
    return port


def start_nginx(services: lp.Services, args, *, page: bytes, workdir: Path) -> int:
    nginx_dir = workdir / "nginx"
    (nginx_dir / "html").mkdir(parents=True)
    (nginx_dir / "tmp").mkdir()
    (nginx_dir / "html" / "article.html").write_bytes(page)
    for path in (workdir, nginx_dir, nginx_dir / "html"):
        path.chmod(0o755)
    (nginx_dir / "html" / "article.html").chmod(0o644)
    port = lp.free_port()
    conf = lp.NGINX_CONF.read_text().replace("listen 127.0.0.1:8080;", f"listen {lp.HOST}:{port};")
    (nginx_dir / "nginx.conf").write_text(conf)
    log_path = args.logdir / "nginx.log"
    process = services.start(
        "nginx",
        ["nginx", "-p", nginx_dir, "-c", nginx_dir / "nginx.conf", "-e", "stderr"],
        log_path=log_path,
    )
    lp.wait_until_up(port, "/", process, "nginx", log_path)
    return port


def bench(args, services: lp.Services) -> dict:
    load_before = common_load()
    common.ensure_content(args)
    env = common.django_env(args)
    common.manage(env, "collectstatic", "--no-input", "-v", "0", timeout=300)
    common.flush_redis(args.redis_url)
    keys_path = args.workdir / "session-keys.txt"
    prepared = common.helper(
        env, "prepare", "--readers", str(args.readers), "--cookies", str(keys_path)
    )
    common.log(
        f"{prepared['sessions']:,} signed-in devices written in {prepared['seconds']} s "
        f"({prepared['session_engine']}); gated article {prepared['gated_path']}"
    )
    cookies = [browser_cookies(key) for key in keys_path.read_text().split()]
    cookies_path = args.workdir / "cookies.txt"
    cookies_path.write_text("".join(f"{line}\n" for line in cookies))

    gunicorn_port = lp.free_port()
    gunicorn_log = args.logdir / "gunicorn.log"
    process = services.start(
        "gunicorn",
        [lp.GUNICORN, "-c", lp.GUNICORN_CONF],
        env=dict(env, GUNICORN_BIND=f"{lp.HOST}:{gunicorn_port}"),
        log_path=gunicorn_log,
        stop_signal=signal.SIGINT,
    )
    lp.wait_until_up(gunicorn_port, "/healthz", process, "gunicorn", gunicorn_log)
    varnish_port = start_varnish(services, args, backend_port=gunicorn_port, workdir=args.workdir)
    gated = prepared["gated_path"]

    warmed = common.helper(env, "warm", "--readers", str(args.readers))
    common.log(f"readers warmed in {warmed['seconds']} s ({warmed['slots_held']:,} slots held)")
    # The members' copy into Varnish, and a subscriber's assembled page for nginx to serve.
    # The first member's fetch may refresh their session (a Set-Cookie, never stored): a few
    # subscribers until one is served from the cache.
    for cookie in cookies[:10]:
        status, headers, page = lp.http_get(
            varnish_port, gated, headers={"Cookie": cookie, "X-Forwarded-Proto": "https"}
        )
        if headers.get("X-Cache") == "HIT":
            break
        time.sleep(1.1)
    if status != 200 or headers.get("X-Cache") != "HIT" or BODY_MARKER not in page.decode():
        raise lp.BenchError(
            f"a subscriber's {gated} through Varnish: {status}, X-Cache "
            f"{headers.get('X-Cache')}, X-Page-Cache {headers.get('X-Page-Cache')}, "
            f"body {'present' if BODY_MARKER in page.decode() else 'missing'}"
        )
    nginx_port = start_nginx(services, args, page=page, workdir=args.workdir)
    common.log(
        f"gunicorn :{gunicorn_port}, Varnish :{varnish_port}, nginx :{nginx_port} "
        f"(static copy, {len(page):,} bytes)"
    )
    groups = {
        "front": services.group_of("varnish"),
        "app": services.group_of("gunicorn"),
        "nginx": services.group_of("nginx"),
    }

    static_runs, subscriber_runs, samples = [], [], []
    offset = 0
    for number in range(1, args.runs + 1):
        if number > 1:
            warmed = common.helper(env, "warm", "--readers", str(args.readers))
        samples.append(check_sample(varnish_port, gated, cookies, prepared["gated_title"], 50))
        static = run_wrk(args, port=nginx_port, url_path=gated, script=None, groups=groups)
        static_runs.append(static)
        script = args.workdir / f"wrk-{number}.lua"
        threads = min(args.wrk_threads, args.connections)
        write_lua(script, cookies=cookies_path, url_path=gated, threads=threads, offset=offset)
        run = run_wrk(args, port=varnish_port, url_path=gated, script=script, groups=groups)
        offset += run["requests"]
        subscriber_runs.append(run)
        common.log(
            f"round {number}: nginx {static['rps']:,.0f} req/s; subscribers through Varnish "
            f"{run['rps']:,.0f} req/s ({run['rps'] / static['rps']:.3f} of nginx), p99 "
            f"{run['p99_ms']:.1f} ms, {run.get('responses_with_body', 0):,} with the body, "
            f"{run.get('responses_without_body', 0):,} without; Django "
            f"{run['app_cpu_us']} µs/req, Varnish {run['front_cpu_us']} µs/req"
        )
    samples.append(check_sample(varnish_port, gated, cookies, prepared["gated_title"], 50))

    static_summary = summarise(static_runs)
    subscribers = summarise(subscriber_runs)
    ratio = round(subscribers["rps"] / static_summary["rps"], 4)
    every_body = (
        subscribers["responses_without_body"] == 0
        and subscribers["responses_with_body"] == subscribers["requests"]
    )
    samples_ok = all(sample["body"] == sample["requests"] for sample in samples)
    return {
        "benchmark": "access_gated_page",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": lp.git_revision(ROOT),
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": common_load(),
            "python": platform.python_version(),
        },
        "tools": lp.tool_versions(),
        "config": {
            "subscribers": len(cookies),
            "session_engine": prepared["session_engine"],
            "wrk": f"-t{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency",
            "runs": args.runs,
            "gunicorn": gunicorn_config(),
            "gated_path": gated,
            "page_bytes": len(page),
            "database": args.database,
            "redis_url": args.redis_url,
        },
        "nginx_static": static_summary,
        "subscribers_through_varnish": subscribers,
        "ratio_to_static": ratio,
        "samples": samples,
        "targets": {
            f"at_least_{TARGET_RATIO_TO_STATIC:g}_of_nginx": {
                "value": ratio,
                "met": ratio >= TARGET_RATIO_TO_STATIC,
            },
            f"p99_under_{TARGET_P99_MS:g}ms_at_c{args.connections}": {
                "value": subscribers["p99_ms"],
                "met": subscribers["p99_ms"] < TARGET_P99_MS
                and args.connections >= TARGET_CONNECTIONS,
            },
            "every_response_carried_the_body": {
                "value": f"{subscribers['responses_with_body']}/{subscribers['requests']} read "
                "by wrk; samples " + ", ".join(f"{s['body']}/{s['requests']}" for s in samples),
                "met": every_body and samples_ok,
            },
            "no_errors": {"value": subscribers["errors"], "met": subscribers["errors"] == 0},
        },
    }


def common_load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def gunicorn_config() -> dict:
    import multiprocessing

    workers = os.environ.get("WEB_CONCURRENCY", "").strip() or multiprocessing.cpu_count() + 1
    threads = os.environ.get("GUNICORN_THREADS", "").strip() or 4
    return {"workers": int(workers), "threads": int(threads), "worker_class": "gthread"}


def _row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(result: dict) -> str:
    machine, config = result["machine"], result["config"]
    gun = config["gunicorn"]
    lines = [
        "# Access: a subscriber's gated article page, 10,000 subscribers "
        "(bench/access_gated_page.py)",
        "",
        f"{result['date']}, commit {result['git']}, {machine['cpus']} CPUs, load average "
        f"{machine['load_before']} before / {machine['load_after']} after (wrk, nginx, Varnish, "
        f"gunicorn, PostgreSQL and Redis on the same cores). Varnish with "
        f"deploy/varnish/default.vcl in front of gunicorn {gun['workers']} workers x "
        f"{gun['threads']} threads, `broadsheet.settings.production`, sessions "
        f"{config['session_engine']}; nginx serving a static copy of a subscriber's page "
        f"({config['page_bytes']:,} bytes) in the same run. wrk {config['wrk']}, median of "
        f"{config['runs']} interleaved rounds; {config['subscribers']:,} distinct subscribers, "
        "each request with the next one's cookies; each device holds its seat's slot.",
        "",
        _row(
            "page",
            "req/s",
            "x nginx",
            "p50 ms",
            "p99 ms",
            "errors",
            "Varnish CPU µs/req",
            "Django CPU µs/req",
            "Redis CPU µs/req",
            "PostgreSQL CPU µs/req",
            "with the body",
        ),
        _row("---", *["---:"] * 10),
    ]
    static, subscribers = result["nginx_static"], result["subscribers_through_varnish"]
    lines.append(
        _row(
            "nginx, static copy (baseline)",
            f"{static['rps']:,.0f}",
            "1",
            f"{static['p50_ms']:.1f}",
            f"{static['p99_ms']:.1f}",
            static["errors"],
            "",
            "",
            "",
            "",
            "",
        )
    )
    lines.append(
        _row(
            "subscriber, gated article, through Varnish",
            f"{subscribers['rps']:,.0f}",
            f"{result['ratio_to_static']:.3f}",
            f"{subscribers['p50_ms']:.1f}",
            f"{subscribers['p99_ms']:.1f}",
            subscribers["errors"],
            f"{subscribers['front_cpu_us']:,.0f}",
            f"{subscribers['app_cpu_us']:,.0f}",
            f"{subscribers['redis_cpu_us']:,.0f}",
            f"{subscribers['postgres_cpu_us']:,.0f}",
            f"{subscribers['responses_with_body']:,}/{subscribers['requests']:,}",
        )
    )
    lines += ["", "Targets (issue 10):", ""]
    for name, target in result["targets"].items():
        lines.append(f"- {name}: {target['value']} — {'met' if target['met'] else 'NOT met'}")
    lines.append("")
    return "\n".join(lines)


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument("--connections", type=int, default=TARGET_CONNECTIONS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    for tool in ("wrk", "varnishd", "nginx"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install wrk varnish nginx-light)")
            return 2
    signal.signal(signal.SIGTERM, _interrupt)
    services = lp.Services()
    args.workdir = Path(tempfile.mkdtemp(prefix="broadsheet-access-bench-"))
    args.logdir = ROOT / "bench" / "work" / "access_gated_page"
    shutil.rmtree(args.logdir, ignore_errors=True)
    args.logdir.mkdir(parents=True)
    try:
        result = bench(args, services)
    except KeyboardInterrupt:
        common.log("interrupted; stopping everything")
        return 130
    except (lp.BenchError, subprocess.TimeoutExpired) as error:
        common.log(f"FAILED: {error}\n(logs in {args.logdir})")
        return 1
    finally:
        services.stop_all()
        shutil.rmtree(args.workdir, ignore_errors=True)
        try:
            common.flush_redis(args.redis_url)
        except Exception as error:  # noqa: BLE001
            common.log(f"could not empty {args.redis_url}: {error}")
    text = markdown(result)
    print()
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "access_gated_page.json").write_text(json.dumps(result, indent=2) + "\n")
        (RESULTS / "access_gated_page.md").write_text(text)
        print("written: bench/results/access_gated_page.json, bench/results/access_gated_page.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
