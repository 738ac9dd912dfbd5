"""Lighthouse 12 on the pages readers meet, under production settings, in both editions.

    npm i -E --prefix /tmp/lighthouse lighthouse@12.2.3     # once, outside the repository
    .venv/bin/python bench/lighthouse.py --lighthouse /tmp/lighthouse

What it does:

1. a PostgreSQL database `broadsheet_bench_lighthouse` (created if missing, `migrate`,
   `setup_newsroom`, the demo content, the plans; reused afterwards, `--fresh` rebuilds it) and
   `collectstatic` (to var/static, which WhiteNoise serves, as in production);
2. gunicorn with deploy/gunicorn.conf.py and `broadsheet.settings.production` (DEBUG off, the
   Redis page cache on a Redis database of its own, `SECURE_SSL_REDIRECT=false`: there is no
   TLS terminator here) on a free port of 127.0.0.1;
3. Lighthouse (its CLI, with Debian's Chromium as CHROME_PATH, headless) on each edition's
   home, a section, a free article and a subscribers-only article (the paywall), once per
   `--preset` (mobile, Lighthouse's default, and desktop);
4. prints the four category scores per page and writes bench/results/lighthouse.md (with the
   commit it ran on) and lighthouse.json, listing every audit that scored below 1.

Everything it starts is stopped at the end, on errors and on Ctrl-C too. Nothing is fetched
from outside this machine: Lighthouse's own network requests go to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from revision import git_commit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
HOST = "127.0.0.1"
DATABASE = "broadsheet_bench_lighthouse"
REDIS_URL = "redis://127.0.0.1:6379/13"
# Signs nothing that outlives a run; not a secret.
SECRET_KEY = "bench-lighthouse-only-not-a-secret-" + "x" * 40
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"

# Prints the pages to audit per edition as JSON; run with the server's environment.
PAGES_SCRIPT = """
import json
from urllib.parse import urlsplit
from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage
pages = {}
for home in EditionPage.objects.live().select_related("locale").order_by("path"):
    code = home.locale.language_code
    live = ArticlePage.objects.live().filter(locale=home.locale).order_by("-first_published_at")
    section = SectionPage.objects.child_of(home).live().order_by("path").first()
    free = live.filter(access_level="free").first()
    gated = live.filter(access_level="subscribers").first()
    pages[code] = {
        name: urlsplit(page.get_url()).path
        for name, page in (("home", home), ("section", section), ("article", free),
                           ("paywall", gated))
        if page is not None
    }
print("PAGES " + json.dumps(pages))
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def django_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="broadsheet.settings.production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.database}",
        REDIS_URL=args.redis_url,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        CACHE_KEY_PREFIX="bench-lighthouse",
        # Production's front server serves /media/; here gunicorn is the only server.
        SERVE_MEDIA="true",
        PAGE_CACHE_FRONT_PROXIES="",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict, *command: str) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def psql(args, sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", args.pg_host, "-p", str(args.pg_port), "-U", args.pg_user, "-d", database]
        + ["-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def ensure_content(args, env: dict, port: int) -> None:
    # The database's name is this script's own argument, not a reader's input.
    query = f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'"  # noqa: S608
    exists = psql(args, query) == "1"
    if exists and args.fresh:
        psql(args, f'DROP DATABASE "{args.database}"')
        exists = False
    if not exists:
        log(f"creating database {args.database}")
        psql(args, f'CREATE DATABASE "{args.database}"')
    manage(env, "migrate", "--no-input", "-v", "0")
    if not exists:
        manage(env, "setup_newsroom", "--hostname", HOST, "--port", str(port))
        log("loading the demo content (a few minutes)")
        manage(env, "load_demo_content", "--image-width", "1200")
        manage(env, "setup_newsletters")
        manage(env, "subscriptions_setup_plans")
    # Absolute links (canonical, hreflang) name this run's port, as a real site names its own.
    manage(env, "setup_newsroom", "--hostname", HOST, "--port", str(port))
    manage(env, "collectstatic", "--no-input", "-v", "0")


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting: see its log")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def lighthouse(args, url: str, preset: str, output: Path) -> dict:
    cli = Path(args.lighthouse) / "node_modules" / ".bin" / "lighthouse"
    command = [
        str(cli),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = dict(os.environ, CHROME_PATH=args.chrome)
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)
    report = json.loads(output.read_text())
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    below = sorted(
        (audit["id"], audit["title"], audit["score"])
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return {"scores": scores, "below": below, "lighthouse": report.get("lighthouseVersion")}


def commit() -> str:
    return git_commit() or "unknown"


def write_results(results: list[dict], meta: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "lighthouse.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2)
    )
    lines = [
        "# Lighthouse: the pages readers meet",
        "",
        f"Commit {meta['commit']}, {meta['when']}, Lighthouse {meta['lighthouse']}, "
        f"{meta['chrome']}; gunicorn with production settings on 127.0.0.1 "
        "(bench/lighthouse.py).",
        "",
        "| edition | page | preset | performance | accessibility | best practices | SEO |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results:
        s = row["scores"]
        lines.append(
            f"| {row['edition']} | {row['page']} (`{row['path']}`) | {row['preset']} | "
            f"{s['performance']} | {s['accessibility']} | {s['best-practices']} | {s['seo']} |"
        )
    lines += ["", "## Audits below full marks", ""]
    for row in results:
        if row["below"]:
            audits = ", ".join(
                f"`{audit_id}` ({score:.2f})" for audit_id, _t, score in row["below"]
            )
            lines.append(f"- {row['edition']} {row['page']} {row['preset']}: {audits}")
    (RESULTS / "lighthouse.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lighthouse",
        default=os.environ.get("LIGHTHOUSE_DIR", "/tmp/lighthouse"),  # noqa: S108
        help="the folder where `npm i -E lighthouse@12.2.3` ran (outside the repository)",
    )
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--redis-url", default=REDIS_URL, help="a Redis database of its own")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")
    parser.add_argument("--presets", default="mobile,desktop")
    parser.add_argument("--pages", default="home,section,article,paywall", help="a subset")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    if not (Path(args.lighthouse) / "node_modules" / ".bin" / "lighthouse").exists():
        raise SystemExit(f"no Lighthouse in {args.lighthouse}: npm i -E lighthouse@12.2.3 there")

    workdir = Path(tempfile.mkdtemp(prefix="bench-lighthouse-"))
    port = free_port()
    env = django_env(args)
    server = None
    try:
        ensure_content(args, env, port)
        # The shell may print log lines too: the pages are on the line that says so.
        output = manage(env, "shell", "-c", PAGES_SCRIPT).splitlines()
        pages = json.loads(next(line for line in output if line.startswith("PAGES "))[6:])
        server_log = (workdir / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [str(GUNICORN), "-c", str(GUNICORN_CONF), "--bind", f"{HOST}:{port}"],
            cwd=ROOT,
            env=dict(env, WEB_CONCURRENCY="2"),
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://{HOST}:{port}"
        wait_until_up(f"{base}/healthz", server)
        results = []
        for edition, named in pages.items():
            for page, path in named.items():
                if page not in args.pages.split(","):
                    continue
                for preset in args.presets.split(","):
                    outcome = lighthouse(args, base + path, preset, workdir / "report.json")
                    results.append(
                        {
                            "edition": edition,
                            "page": page,
                            "path": path,
                            "preset": preset,
                            **outcome,
                        }
                    )
                    log(f"{edition} {page} {preset}: {outcome['scores']}")
                    for audit_id, title, score in outcome["below"]:
                        log(f"    {audit_id} ({score:.2f}): {title}")
        meta = {
            "commit": commit(),
            "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "lighthouse": results[0]["lighthouse"] if results else "?",
            "chrome": subprocess.run(
                [args.chrome, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip(),
        }
        if not args.no_write:
            write_results(results, meta)
            log(f"written {RESULTS / 'lighthouse.md'}")
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
