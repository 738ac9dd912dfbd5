#!/usr/bin/env python3
"""Where a page's CPU goes: cProfile of Django answering, in-process, under production settings.

    .venv/bin/python bench/profile_pages.py --database broadsheet_bench_1000

Profiles, each over --requests requests through Django's full handler (WSGI, every middleware):
  cold      an article page with nothing of it cached (the edition's page cache purged before
            each request, as right after a publish);
  member    a subscriber's gated article: the members' copy of the page, its holes filled
            (body, sharing warning) for a signed-in device that holds its seat's slot;
  hole      the metered body hole as Varnish asks for it (/_holes/private/article-body/).
The profiler counts CPU time (time.process_time), not time spent waiting on PostgreSQL or
Redis: what is listed is what the web process itself spends. Prints and writes to
bench/results/profile_pages.md (--output) the top --top entries by cumulative time (leaving out
the middleware chain every request passes through) and by own time,
the CPU per request with and without the profiler, the SQL queries per request and the
commit it ran on. Needs a database built by bench/load_pages.py (PostgreSQL) and Redis;
creates one subscriber (profile@example.org) in it if missing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from revision import git_commit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django(args) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="broadsheet.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=args.redis_url,
        ALLOWED_HOSTS="localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="ERROR",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def subscriber():
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from broadsheet.subscriptions.models import Plan
    from broadsheet.subscriptions.selectors import entitlement_for
    from broadsheet.subscriptions.services.staff import subscription_grant_comp
    from broadsheet.subscriptions.setup import plans_setup

    user_model = get_user_model()
    user = user_model.objects.filter(email="profile@example.org").first()
    if user is None:
        user = user_model.objects.create_user("profile", "profile@example.org", "x" * 20)
    if entitlement_for(user, now=timezone.now()) is None:
        plans_setup()
        plan = Plan.objects.filter(kind="digital", locale__language_code="en-us").first()
        subscription_grant_comp(
            user=user,
            plan=plan,
            ends_at=timezone.now() + timedelta(days=365),
            granted_by=None,
            quantity=1,
            now=timezone.now(),
        )
    return user


# By cumulative time, the first entries are the test client and the middleware every request
# passes through, each near 100% of the total: they are left out of that listing.
CHAIN_SHARE = 0.9


def _stats_text(profiler: cProfile.Profile, order: str, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    # Paths relative to site-packages or the checkout: short, and still telling Django's
    # base.py from the template engine's.
    stats.stats = {
        (_short_path(path), line, function): value
        for (path, line, function), value in stats.stats.items()
        if order != "cumulative" or value[3] < CHAIN_SHARE * stats.total_tt
    }
    stats.fcn_list = None
    stats.sort_stats(order).print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(lines[start:])


def _short_path(path: str) -> str:
    for prefix in (str(ROOT / ".venv" / "lib") + "/", str(ROOT) + "/"):
        if path.startswith(prefix):
            path = path[len(prefix) :]
            return path.split("site-packages/", 1)[-1]
    return path


def profile(name: str, requests: int, call, top: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm: imports, connections, caches that are meant to be warm
    with CaptureQueriesContext(connection) as captured:
        call()
    # Counted now: every request that follows empties Django's query log (reset_queries).
    queries = len(captured)
    cpu_before = time.process_time()
    for _ in range(requests):
        call()
    plain_cpu_ms = (time.process_time() - cpu_before) * 1000 / requests
    profiler = cProfile.Profile(time.process_time)
    cpu_before = time.process_time()
    profiler.enable()
    for _ in range(requests):
        call()
    profiler.disable()
    cpu_ms = (time.process_time() - cpu_before) * 1000 / requests
    text = {order: _stats_text(profiler, order, top) for order in ("cumulative", "tottime")}
    print(
        f"\n=== {name}: {plain_cpu_ms:.2f} ms of CPU per request ({cpu_ms:.2f} under "
        f"cProfile), {queries} SQL queries\n"
    )
    print(text["cumulative"])
    return {
        "name": name,
        "cpu_ms": cpu_ms,
        "plain_cpu_ms": plain_cpu_ms,
        "queries": queries,
        **text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="broadsheet_bench_1000")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=15, help="entries listed per ordering")
    parser.add_argument("--output", type=Path, default=RESULTS / "profile_pages.md")
    args = parser.parse_args()
    setup_django(args)

    from django.test import Client

    from broadsheet.accounts.models import Device
    from broadsheet.newsroom.models import ArticlePage
    from broadsheet.pagecache.services import page_cache_new_generation

    articles = ArticlePage.objects.live().filter(locale__language_code="en-us")
    newest = articles.order_by("-first_published_at").first()
    gated = articles.filter(access_level="subscribers").order_by("-first_published_at").first()
    metered = articles.filter(access_level="metered").order_by("-first_published_at").first()
    anonymous = Client()

    def cold():
        # As bench/load_pages.py's cold pages: right after a publish purged the edition.
        page_cache_new_generation(scope="en-us")
        response = anonymous.get(newest.url)
        assert response.status_code == 200, response.status_code

    member_client = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
    member_client.force_login(subscriber())

    def member():
        response = member_client.get(gated.url)
        assert response.status_code == 200 and response["X-Access"] == "body", response.headers

    hole_client = Client(HTTP_COOKIE="bs_reader=0123456789abcdef0123456789abcdef")

    def hole():
        response = hole_client.get(
            "/_holes/private/article-body/", {"lang": "en-us", "article": metered.pk}
        )
        assert response.status_code == 200

    results = [
        profile("cold article page", args.requests, cold, args.top),
        profile("subscriber's gated article (members' copy)", args.requests, member, args.top),
        profile("metered body hole (as Varnish asks)", args.requests * 5, hole, args.top),
    ]
    Device.objects.filter(user__email="profile@example.org").delete()

    git = git_commit() or "unknown"
    lines = [
        "# Where a page's CPU goes (bench/profile_pages.py)",
        "",
        f"{datetime.now(UTC).isoformat(timespec='seconds')}, git {git}, database {args.database}, "
        f"{args.requests} requests per profile, load average {os.getloadavg()[0]:.2f}. "
        "Times are CPU seconds of this process over all the requests of a profile; cProfile "
        "adds to them (the CPU per request without it is given first): compare entries, not "
        "absolute figures (bench/load_pages.py measures the real cost under load).",
        "",
    ]
    for result in results:
        lines += [
            f"## {result['name']}",
            "",
            f"{result['plain_cpu_ms']:.2f} ms of CPU per request ({result['cpu_ms']:.2f} under "
            f"cProfile), {result['queries']} SQL queries per request.",
            "",
            f"Top {args.top} by cumulative time:",
            "",
            "```",
            result["cumulative"].strip(),
            "```",
            "",
            f"Top {args.top} by own time:",
            "",
            "```",
            result["tottime"].strip(),
            "```",
            "",
        ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
