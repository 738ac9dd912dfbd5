#!/usr/bin/env python3
"""Newsletter send benchmark: how fast two workers deliver an issue, over SMTP to a local sink
or through a provider's batch API (django-anymail's Mailgun backend) to a local stand-in of
it, beside what the sink or stand-in itself can take, and how much memory a worker needs as
the list grows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/broadsheet_bench_nl \\
        .venv/bin/python bench/newsletter_send.py [--transport smtp|provider]
        [--sizes 10000,100000] [--runs 3]

What it does, all on this machine:
1. Starts the receiving end in its own process and measures its ceiling in the same run:
   - smtp: an SMTP sink (aiosmtpd; it says PIPELINING and keeps nothing but a count);
     ceiling: pre-rendered messages pushed over one connection with smtplib;
   - provider: the stand-in of Mailgun's `POST /v3/<domain>/messages`
     (broadsheet/newsletters/tests/provider_standin.py: parses and checks each call, counts
     its recipients, answers "Queued" at once, like the zero-latency stand-in of the issue's
     reference); ceiling: one pre-built call of 500 recipients posted again and again over
     one keep-alive connection with requests.
2. Creates the database if needed (migrations), an edition, articles and `max(sizes)`
   confirmed subscribers.
3. For each size, `runs` times: a newsletter with that many subscribers, an issue started
   through the same service the admin uses, two `manage.py db_worker` processes (the
   database task backend) doing the work. Timed from the start to the issue being "sent";
   each worker's peak RSS (VmHWM) is read from /proc before it is stopped.

Writes bench/results/newsletter.json (one section per transport; a run replaces its own) and
bench/results/newsletter.md. Medians over the runs; the ceiling is measured in the same run,
so the ratio is what to compare across machines.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
from revision import git_commit  # noqa: E402  (bench/revision.py)

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/broadsheet_bench_nl")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.newsletter_settings"


def _sink_main(port: int, counter, ready) -> None:
    from broadsheet.newsletters.tests.smtp_sink import SinkHandler, SMTPSink

    class CountingHandler(SinkHandler):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with counter.get_lock():
                counter.value += len(envelope.rcpt_tos)
            return "250 OK queued"

    with SMTPSink(CountingHandler(keep_content=False), port=port):
        ready.set()
        signal.sigwait({signal.SIGTERM})


class Sink:
    target = staticmethod(_sink_main)

    def __init__(self, port: int):
        self.port = port
        self.counter = multiprocessing.Value("q", 0)
        ready = multiprocessing.Event()
        self.process = multiprocessing.Process(
            target=type(self).target, args=(port, self.counter, ready), daemon=True
        )
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        self.process.start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        if not ready.wait(20):
            raise SystemExit(f"{type(self).__name__} did not start")

    @property
    def count(self) -> int:
        return self.counter.value

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def _standin_main(port: int, counter, ready) -> None:
    from broadsheet.newsletters.tests.provider_standin import ProviderStandIn, StandInState

    def count(recipients: int) -> None:
        with counter.get_lock():
            counter.value += recipients

    api = ProviderStandIn(StandInState(expand=False, on_accept=count), port=port)
    with api:
        ready.set()
        signal.sigwait({signal.SIGTERM})


class StandIn(Sink):
    """The provider's API stand-in, in a process of its own; `count` is recipients taken."""

    target = staticmethod(_standin_main)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v3"


def standin_ceiling(url: str, calls: int, data: dict) -> float:
    """One pre-built call of 500 recipients, posted `calls` times over one connection:
    recipients a second, as fast as requests goes, no database, no rendering."""
    import requests

    session = requests.Session()
    endpoint = f"{url}/news.example.com/messages"
    recipients = len(data["to"])
    started = time.perf_counter()
    for _ in range(calls):
        response = session.post(endpoint, data=data, auth=("api", "standin-key"), timeout=30)
        response.raise_for_status()
    elapsed = time.perf_counter() - started
    session.close()
    return calls * recipients / elapsed


def sink_ceiling(port: int, messages: int, data: bytes) -> float:
    """Pre-rendered messages over one connection, as fast as smtplib goes."""
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for number in range(messages):
        smtp.sendmail("newsletters@news.example.com", [f"ceiling{number}@example.com"], data)
    elapsed = time.perf_counter() - started
    smtp.quit()
    return messages / elapsed


def django_setup() -> None:
    import django

    django.setup()


def database_prepare() -> None:
    from django.core.management import call_command
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception:  # noqa: BLE001  (the database does not exist yet)
        name = connection.settings_dict["NAME"]
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        connection.close()
    call_command("migrate", verbosity=0, interactive=False)


def content_prepare(max_size: int):
    from django.utils import timezone

    from broadsheet.newsletters.models import Subscriber
    from broadsheet.newsroom import services
    from broadsheet.newsroom.models import ArticlePage
    from broadsheet.newsroom.tests import factories

    editions = services.editions_setup(hostname="news.example.com", port=443)
    edition = editions[0]
    section = factories.section_create(edition=edition, title="World", slug="world")
    articles = list(ArticlePage.objects.live().filter(locale=edition.locale)[:8])
    for number in range(len(articles), 8):
        articles.append(
            factories.article_publish(
                section=section,
                title=f"Benchmark story {number}",
                standfirst="A standfirst of a realistic length, one sentence that says "
                "what happened and why a reader should care about it this week.",
                access_level="free",
            )
        )
    have = Subscriber.objects.filter(email__startswith="bench").count()
    now = timezone.now()
    for start in range(have, max_size, 5000):
        Subscriber.objects.bulk_create(
            Subscriber(email=f"bench{n}@example.com", language="en-us", created_at=now)
            for n in range(start, min(max_size, start + 5000))
        )
    return edition, articles


def newsletter_with(size: int, edition, run: int):
    from django.utils import timezone

    from broadsheet.newsletters.models import (
        Newsletter,
        Subscriber,
        Subscription,
        SubscriptionStatus,
    )

    newsletter = Newsletter.objects.create(
        locale=edition.locale,
        name=f"Bench {size} #{run}",
        slug=f"bench-{size}-{run}-{int(time.time())}",
        kind="weekly_digest",
    )
    ids = (
        Subscriber.objects.filter(email__startswith="bench")
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    now = timezone.now()
    batch = []
    for subscriber_id in ids.iterator(chunk_size=5000):
        batch.append(
            Subscription(
                subscriber_id=subscriber_id,
                newsletter=newsletter,
                status=SubscriptionStatus.CONFIRMED,
                requested_at=now,
                confirmed_at=now,
            )
        )
        if len(batch) == 5000:
            Subscription.objects.bulk_create(batch)
            batch = []
    Subscription.objects.bulk_create(batch)
    return newsletter


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_send(*, size: int, run: int, edition, articles, sink: Sink, workers: int) -> dict:
    from django.utils import timezone

    from broadsheet.newsletters import services
    from broadsheet.newsletters.models import Delivery, Issue, IssueItem, IssueStatus

    newsletter = newsletter_with(size, edition, run)
    issue = Issue.objects.create(newsletter=newsletter, subject=f"Benchmark issue {size}")
    IssueItem.objects.bulk_create(
        IssueItem(issue=issue, article=a, sort_order=n, source="most_read")
        for n, a in enumerate(articles)
    )
    env = {**os.environ, "BENCH_SMTP_PORT": str(sink.port)}
    if isinstance(sink, StandIn):
        env.update(BENCH_TRANSPORT="provider", BENCH_PROVIDER_URL=sink.url)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "newsletters",  # the send's queue, as in production (docs/operations.md)
                "--interval",
                "0.2",
                "--no-startup-delay",
                "--worker-id",
                f"bench-{size}-{run}-{n}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    time.sleep(3)  # the workers boot Django before the clock starts
    received_before = sink.count
    started = time.perf_counter()
    services.issue_send_start(issue_id=issue.pk, now=timezone.now())
    status = ""
    while True:
        status = Issue.objects.filter(pk=issue.pk).values_list("status", flat=True).get()
        if status == IssueStatus.SENT:
            break
        if time.perf_counter() - started > 3600:
            break
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    received = sink.count - received_before
    rss = [peak_rss_mb(p.pid) for p in processes]
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
    sent = Delivery.objects.filter(issue=issue, status="sent").count()
    return {
        "recipients": size,
        "status": status,
        "sent": sent,
        "received_by_sink": received,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(received / elapsed, 1),
        "peak_rss_mb_per_worker": [round(r, 1) for r in rss],
    }


def probe_issue(edition, articles):
    """A real issue of the benchmark's articles, rendered and frozen as a send freezes it."""
    from broadsheet.newsletters import rendering
    from broadsheet.newsletters.models import Issue, IssueItem

    probe = Issue.objects.create(newsletter=newsletter_with(1, edition, 0), subject="Ceiling probe")
    IssueItem.objects.bulk_create(
        IssueItem(issue=probe, article=a, sort_order=n) for n, a in enumerate(articles)
    )
    rendered = rendering.issue_render(issue=probe)
    probe.rendered_subject, probe.rendered_html, probe.rendered_text = (
        rendered.subject,
        rendered.html,
        rendered.text,
    )
    return rendering.IssueMessages(probe)


def smtp_ceiling(messages, port: int) -> tuple[list[float], int]:
    data = messages.build(subscriber_id=1, email="x@example.com")
    data = data.message().as_bytes(linesep="\r\n")
    return [sink_ceiling(port, 3000, data) for _ in range(3)], len(data)


def provider_ceiling(messages, url: str) -> tuple[list[float], int]:
    """One call of 500 recipients exactly as a worker builds it (anymail's Mailgun payload)."""
    from anymail.backends.mailgun import EmailBackend

    from broadsheet.newsletters.transports import MERGE_FIELDS

    recipients = [
        messages.personal(subscriber_id=n, email=f"ceiling{n}@example.com") for n in range(500)
    ]
    message = messages.batch_message(recipients, merge_field=MERGE_FIELDS["mailgun"])
    backend = EmailBackend(api_key="standin-key", api_url=url)
    payload = backend.build_message_payload(message, backend.send_defaults)
    data = payload.serialize_data()
    from urllib.parse import urlencode

    size = len(urlencode(data, doseq=True))
    return [standin_ceiling(url, 60, data) for _ in range(3)], size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", choices=["smtp", "provider"], default="smtp")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs of each size below 100k")
    parser.add_argument("--big-runs", type=int, default=1, help="runs of 100k and more")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: 2525 (smtp), 2580")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    provider = args.transport == "provider"
    port = args.port or (2580 if provider else 2525)

    sink = StandIn(port) if provider else Sink(port)
    try:
        django_setup()
        database_prepare()
        edition, articles = content_prepare(max(sizes))

        from django.conf import settings

        messages = probe_issue(edition, articles)
        if provider:
            ceilings, size_bytes = provider_ceiling(messages, sink.url)
            what = "stand-in ceiling, one connection, calls of 500"
            unit = "recipients/s"
        else:
            ceilings, size_bytes = smtp_ceiling(messages, port)
            what = "sink ceiling, one connection"
            unit = "messages/s"
        ceiling = statistics.median(ceilings)
        print(
            f"{what}: {ceiling:.0f} {unit} (runs: {', '.join(f'{c:.0f}' for c in ceilings)}); "
            f"{'a call' if provider else 'a message'} of {size_bytes} bytes"
        )

        results = {}
        for size in sizes:
            runs = args.runs if size < 100_000 else args.big_runs
            outcomes = []
            for run in range(1, runs + 1):
                outcome = one_send(
                    size=size,
                    run=run,
                    edition=edition,
                    articles=articles,
                    sink=sink,
                    workers=args.workers,
                )
                print(f"{size:>7} recipients, run {run}: {outcome}")
                outcomes.append(outcome)
            rates = [o["messages_per_second"] for o in outcomes]
            results[str(size)] = {
                "runs": outcomes,
                "median_messages_per_second": statistics.median(rates),
                "median_seconds": statistics.median(o["seconds"] for o in outcomes),
                "max_peak_rss_mb": max(max(o["peak_rss_mb_per_worker"]) for o in outcomes),
                "ratio_to_ceiling": round(statistics.median(rates) / ceiling, 2),
            }
        report = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "machine": {"cpus": os.cpu_count(), "load_average_at_end": os.getloadavg()},
            "database": settings.DATABASES["default"]["ENGINE"],
            "workers": args.workers,
            "batch_size": settings.NEWSLETTERS_BATCH_SIZE,
            "ceiling_per_second": round(ceiling, 1),
            "ceiling_runs": [round(c, 1) for c in ceilings],
            "sizes": results,
        }
        if provider:
            report.update(
                provider="Mailgun API stand-in (django-anymail mailgun backend)",
                recipients_per_call=getattr(settings, "NEWSLETTERS_PROVIDER_BATCH_SIZE", 500),
                call_bytes=size_bytes,
            )
        else:
            report.update(
                smtp_connections_per_worker=settings.NEWSLETTERS_SMTP_CONNECTIONS,
                message_bytes=size_bytes,
            )
    finally:
        sink.stop()
    write_results(args.transport, report)


def write_results(transport: str, report: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "newsletter.json"
    everything = {}
    if path.exists():
        everything = json.loads(path.read_text())
        if "sizes" in everything:  # the old layout: one SMTP report
            everything = {"smtp": everything}
    everything[transport] = report
    path.write_text(json.dumps(everything, indent=2) + "\n")
    lines = [
        "# Newsletter send benchmark",
        "",
        "Produced by `bench/newsletter_send.py` (`--transport smtp` and `--transport provider`); "
        "each section is replaced by a run of its transport. Medians over the runs.",
    ]
    if "smtp" in everything:
        lines += _smtp_section(everything["smtp"])
    if "provider" in everything:
        lines += _provider_section(everything["provider"])
    text = "\n".join(lines) + "\n"
    (RESULTS / "newsletter.md").write_text(text)
    print(text)


def _when(report: dict) -> str:
    load = ", ".join(f"{x:.1f}" for x in report["machine"]["load_average_at_end"])
    return (
        f"Run {report['date']}, git {report.get('commit', 'unknown')}, "
        f"on {report['machine']['cpus']} CPUs (load average at the end: "
        f"{load}), PostgreSQL, {report['workers']} `db_worker` processes"
    )


def _table(report: dict, unit: str) -> list[str]:
    lines = [
        f"| recipients | runs | median {unit}/s | ratio to the ceiling | median total time "
        "| peak RSS of a worker |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for size, result in report["sizes"].items():
        ratio = result.get("ratio_to_ceiling", result.get("ratio_to_sink_ceiling"))
        lines.append(
            f"| {int(size):,} | {len(result['runs'])} | {result['median_messages_per_second']} "
            f"| {ratio} | {result['median_seconds']} s | {result['max_peak_rss_mb']} MB |"
        )
    return lines


def _smtp_section(report: dict) -> list[str]:
    ceiling = report.get("ceiling_per_second", report.get("sink_ceiling_messages_per_second"))
    return [
        "",
        "## SMTP",
        "",
        f"{_when(report)}, {report['smtp_connections_per_worker']} SMTP connections each, "
        f"batches of {report['batch_size']}; messages of {report['message_bytes']} bytes (a real "
        "issue of 8 articles, HTML and text).",
        "",
        f"SMTP sink ceiling (pre-rendered messages, one connection, smtplib, median of 3): "
        f"**{ceiling:.0f} messages/s**. The workers use many connections at once, so they can "
        "pass the one-connection ceiling.",
        "",
        *_table(report, "messages"),
    ]


def _provider_section(report: dict) -> list[str]:
    return [
        "",
        "## Provider batch API (django-anymail, Mailgun)",
        "",
        f"{_when(report)}, each making one call at a time of {report['recipients_per_call']} "
        f"recipients (a call of {report['call_bytes']:,} bytes: one HTML and text body, each "
        "recipient's links, Message-ID and List-Unsubscribe in `recipient-variables`), batches "
        f"of {report['batch_size']}. The stand-in (a local HTTP server in its own process) "
        "parses and checks each call and answers at once.",
        "",
        f"Stand-in ceiling (one pre-built call of 500 posted over one connection with requests, "
        f"median of 3): **{report['ceiling_per_second']:.0f} recipients/s**. Reference (the "
        "issue): Ghost, about 3,000 emails/s to a zero-latency stand-in of Mailgun's batch API, "
        "500 recipients a call, two calls at a time.",
        "",
        *_table(report, "messages"),
    ]


if __name__ == "__main__":
    main()
