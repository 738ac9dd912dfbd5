#!/usr/bin/env python3
"""Load benchmark of the content API (broadsheet.api) under production settings, beside nginx
serving the same bytes from disk in the same run.

    .venv/bin/python bench/api.py --articles 1000
    .venv/bin/python bench/api.py --articles 1000000 --runs 3

1. The database and content of bench/load_pages.py (broadsheet_bench_<N>, reused), and from
   bench/_django_helpers.py `api`: the listing and the newest article's detail, and a
   subscriber's app token with the second newest article made subscribers-only.
2. gunicorn (deploy/gunicorn.conf.py), Varnish in front (deploy/varnish/default.vcl, through
   broadsheet.tests.topology.backend_vcl) and nginx serving a saved copy of the detail's JSON.
3. wrk (`--latency`) at each --connections: nginx (the baseline), the detail and the listing
   through Varnish (public, cached), and the app's body request of the subscriber
   (`Authorization: Bearer`, passed by Varnish, decided per request: the slot script and the
   cached body), interleaved in rounds; medians over the rounds.

Targets (issue 15): public answers at least 0.10 of nginx's requests per second, p99 under
50 ms at 64 connections. Prints the figures and writes bench/results/api.json and api.md
(`--no-write`: print only). Everything started is stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load_pages as lp

TARGET_RATIO_TO_STATIC = 0.10
TARGET_P99_MS = 50.0


def bench(args, services: lp.Services, workdir: Path, logdir: Path) -> dict:
    env = lp.django_env(args)
    lp.ensure_database(args)
    articles_in_db = lp.ensure_content(args, env)
    paths = lp.helper(args, env, "api", "--edition", args.edition)
    bearer = f"Authorization: Bearer {paths['token']}"

    port = lp.free_port()
    gunicorn_env = env | {"GUNICORN_BIND": f"{lp.HOST}:{port}"}
    log_path = logdir / "gunicorn.log"
    process = services.start(
        "gunicorn",
        [lp.GUNICORN, "-c", lp.GUNICORN_CONF],
        env=gunicorn_env,
        log_path=log_path,
        stop_signal=signal.SIGINT,
        cwd=args.app_dir,
    )
    lp.wait_until_up(port, "/healthz", process, "gunicorn", log_path)

    status, _headers, detail = lp.http_get(port, paths["detail"])
    if status != 200:
        raise lp.BenchError(f"{paths['detail']}: {status}")
    status, headers, _body = lp.http_get(
        port, paths["body"], headers={"Authorization": f"Bearer {paths['token']}"}
    )
    if status != 200 or headers.get("X-Access") != "body":
        raise lp.BenchError(f"the subscriber's body request: {status} {headers.get('X-Access')}")

    nginx_dir = workdir / "nginx"
    (nginx_dir / "html").mkdir(parents=True)
    (nginx_dir / "tmp").mkdir()
    # deploy/nginx/static-baseline.conf answers every path with html/article.html.
    (nginx_dir / "html" / "article.html").write_bytes(detail)
    for path in (workdir, nginx_dir, nginx_dir / "html"):
        path.chmod(0o755)
    (nginx_dir / "html" / "article.html").chmod(0o644)
    nginx_port = lp.free_port()
    conf = lp.NGINX_CONF.read_text().replace(
        "listen 127.0.0.1:8080;", f"listen {lp.HOST}:{nginx_port};"
    )
    (nginx_dir / "nginx.conf").write_text(conf)
    nginx_log = logdir / "nginx.log"
    process = services.start(
        "nginx",
        ["nginx", "-p", nginx_dir, "-c", nginx_dir / "nginx.conf", "-e", "stderr"],
        log_path=nginx_log,
    )
    lp.wait_until_up(nginx_port, "/article.html", process, "nginx", nginx_log)

    varnish_port = lp.free_port()
    varnish_dir = workdir / "varnish"
    varnish_dir.mkdir()
    varnish_dir.chmod(0o755)
    (varnish_dir / "default.vcl").write_text(lp.backend_vcl(host=lp.HOST, port=port))
    varnish_log = logdir / "varnish.log"
    process = services.start(
        "varnish",
        [
            "varnishd",
            "-F",
            "-n",
            varnish_dir / "state",
            "-a",
            f"{lp.HOST}:{varnish_port}",
            "-f",
            varnish_dir / "default.vcl",
            "-s",
            "malloc,256m",
        ],
        log_path=varnish_log,
    )
    lp.wait_until_up(varnish_port, paths["detail"], process, "varnish", varnish_log)
    for name in ("detail", "list"):
        lp.http_get(varnish_port, paths[name])
        _status, headers, _ = lp.http_get(varnish_port, paths[name])
        if headers.get("X-Cache") != "HIT":
            raise lp.BenchError(f"Varnish does not cache {paths[name]} (headers {headers})")

    varnish, gunicorn = services.group_of("varnish"), services.group_of("gunicorn")
    targets = [
        ("nginx_static", nginx_port, "/article.html", services.group_of("nginx"), (), None),
        ("varnish_detail", varnish_port, paths["detail"], varnish, (), gunicorn),
        ("varnish_list", varnish_port, paths["list"], varnish, (), gunicorn),
        ("app_body_subscriber", varnish_port, paths["body"], varnish, (bearer,), gunicorn),
    ]
    connections = [int(value) for value in str(args.connections).split(",")]
    raw: dict[str, list] = {}
    for round_number in range(1, args.runs + 1):
        for count in connections:
            args.connections = count
            for name, target_port, path, group, extra, app_group in targets:
                result = lp.run_wrk(
                    args, f"http://{lp.HOST}:{target_port}{path}", group, extra, app_group
                )
                raw.setdefault(f"{name}@{count}", []).append(result)
                lp.log(
                    f"round {round_number}/{args.runs} c{count} {name:<20}"
                    f" {result['rps']:>8.0f} req/s  p99 {result['p99_ms']:7.2f} ms"
                )
    throughput = {name: lp.summarise(runs) for name, runs in raw.items()}
    ratios = {}
    for name, summary in throughput.items():
        target, count = name.split("@")
        static = throughput[f"nginx_static@{count}"]["rps"]
        if target != "nginx_static":
            ratios[name] = round(summary["rps"] / static, 4)
    return {
        "benchmark": "api",
        "articles": args.articles,
        "articles_in_db": articles_in_db,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": lp.git_revision(args.app_dir),
        "tools": lp.tool_versions(),
        "config": {"wrk": f"-t{args.wrk_threads} -d{args.duration}s --latency", "runs": args.runs},
        "paths": {key: value for key, value in paths.items() if key != "token"},
        "throughput": throughput,
        "ratio_to_static": ratios,
        "targets": {
            name: {
                "ratio_ok": ratios[name] >= TARGET_RATIO_TO_STATIC,
                "p99_ok": throughput[name]["p99_ms"] < TARGET_P99_MS,
            }
            for name in ratios
            if name.startswith("varnish_")
        },
    }


def write_results(result: dict) -> None:
    lp.RESULTS.mkdir(parents=True, exist_ok=True)
    (lp.RESULTS / "api.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Content API load (bench/api.py)",
        "",
        f"Commit {result['git']}, {result['date']}, {result['articles_in_db']} articles; "
        f"wrk {result['config']['wrk']}, medians of {result['config']['runs']} runs.",
        "",
        "| target | req/s | p50 ms | p99 ms | / nginx |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, summary in result["throughput"].items():
        ratio = result["ratio_to_static"].get(name)
        lines.append(
            f"| {name} | {summary['rps']:.0f} | {summary['p50_ms']} | {summary['p99_ms']} | "
            f"{'' if ratio is None else ratio} |"
        )
    (lp.RESULTS / "api.md").write_text("\n".join(lines) + "\n")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(arg.startswith("--connections") for arg in argv):
        argv += ["--connections", "64"]
    connections = argv[argv.index("--connections") + 1] if "--connections" in argv else "64"
    if "--connections" in argv:
        # load_pages' parser takes one number; this script takes a list ("4,64").
        argv[argv.index("--connections") + 1] = "1"
    args = lp.parse_args(argv)
    args.connections = connections
    for tool in ("wrk", "nginx", "varnishd"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, lp._interrupt)
    services = lp.Services()
    workdir = Path(tempfile.mkdtemp(prefix="broadsheet-bench-api-"))
    logdir = args.logdir = lp.BENCH / "work" / "api"
    shutil.rmtree(logdir, ignore_errors=True)
    logdir.mkdir(parents=True)
    try:
        result = bench(args, services, workdir, logdir)
    except KeyboardInterrupt:
        return 130
    except (lp.BenchError, subprocess.TimeoutExpired) as error:
        lp.log(f"FAILED: {error}\n(logs in {logdir})")
        return 1
    finally:
        services.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
        lp.forget_cache(args)
    print(
        json.dumps({k: result[k] for k in ("throughput", "ratio_to_static", "targets")}, indent=2)
    )
    if not args.no_write:
        write_results(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
