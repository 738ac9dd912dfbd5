"""Shared by bench/access_store.py and bench/access_gated_page.py: their database, readers,
seats, signed-in devices and the small Django-side jobs they run in a process of their own.

    python bench/access_common.py prepare --cookies FILE   # devices + sessions, prints JSON
    python bench/access_common.py warm                     # refresh sessions, cache, slots

As a module (no Django imported): `ensure_content(args)` creates and fills the database
`broadsheet_bench_access` once (migrate, setup_newsroom, plans, 20 articles, 10,000 readers each
with an active Digital subscription and its seat, by `subscriptions_bulk_generate`), and reuses
it afterwards. As a script (Django, the environment of `django_env`): the jobs above.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"
DATABASE = "broadsheet_bench_access"
REDIS_URL = "redis://127.0.0.1:6379/14"
CACHE_PREFIX = "bench-access"
ACCESS_PREFIX = "bench-access"
# Signs the sessions written by `prepare` and read by the web workers; nothing outlives a run
# (sessions are rewritten by every run), and it is not a secret.
SECRET_KEY = "bench-access-only-not-a-secret-" + "x" * 40
READERS = 10_000
ARTICLES = 20


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def add_common_arguments(parser) -> None:
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument(
        "--redis-url", default=REDIS_URL, help="a Redis database of its own: FLUSHDB at start"
    )
    parser.add_argument("--readers", type=int, default=READERS, help="subscribers (seats)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the database")


def django_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="broadsheet.settings.production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{args.database}",
        REDIS_URL=args.redis_url,
        CACHE_KEY_PREFIX=CACHE_PREFIX,
        ACCESS_REDIS_PREFIX=ACCESS_PREFIX,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PAGE_CACHE_FRONT_PROXIES="",
        PYTHONUNBUFFERED="1",
    )
    return env


def _pg(args, dbname: str):
    import psycopg

    return psycopg.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname=dbname, autocommit=True
    )


def manage(env, *command: str, timeout: float = 1200) -> str:
    started = time.monotonic()
    completed = subprocess.run(
        [str(PYTHON), str(ROOT / "manage.py"), *command],
        env=env,
        cwd=ROOT,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"manage.py {command[0]} failed ({completed.returncode}):\n"
            f"{(completed.stderr or '')[-3000:]}"
        )
    log(f"manage.py {command[0]}: {time.monotonic() - started:.0f} s")
    return completed.stdout


def helper(env, *command: str, timeout: float = 900) -> dict:
    completed = subprocess.run(
        [str(PYTHON), str(Path(__file__).resolve()), *command],
        env=env,
        cwd=ROOT,
        timeout=timeout,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"access_common {command[0]} failed ({completed.returncode}):\n"
            f"{(completed.stderr or '')[-3000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def ensure_content(args) -> None:
    """The database with its readers, seats and articles; created once, reused after."""
    env = django_env(args)
    loaded = False
    with _pg(args, "postgres") as connection:
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
    if exists:
        with _pg(args, args.database) as connection:
            if connection.execute("SELECT to_regclass('accounts_user')").fetchone()[0]:
                loaded = bool(
                    connection.execute(
                        "SELECT count(*) FROM accounts_user WHERE username LIKE 'bench-%%'"
                    ).fetchone()[0]
                    >= args.readers
                )
    manage(env, "migrate", "--no-input", "-v", "0")
    if loaded:
        log(f"database {args.database} already holds {args.readers:,} subscribers: reused")
        return
    manage(env, "setup_newsroom", "--hostname", "localhost", "--port", "80", timeout=300)
    manage(env, "subscriptions_setup_plans", timeout=300)
    manage(env, "generate_articles", str(ARTICLES), "--edition", "en-us", timeout=600)
    manage(
        env,
        "subscriptions_bulk_generate",
        "--readers",
        str(args.readers),
        "--subscriptions",
        str(args.readers),
        timeout=1800,
    )
    with _pg(args, args.database) as connection:
        connection.execute("VACUUM (ANALYZE)")


# --- Django side (run as a script, in the environment of django_env) -------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _bench_seats(limit: int):
    """(user, seat id) of the bench subscribers, oldest first."""
    from broadsheet.subscriptions.models import Seat

    seats = (
        Seat.objects.filter(user__username__startswith="bench-")
        .select_related("user")
        .only("pk", "user__id", "user__password")
        .order_by("pk")[:limit]
    )
    return [(seat.user, seat.pk) for seat in seats]


def _session_data(store_class, user, device_id: int, session_key: str, now_ts: int) -> str:
    from broadsheet.accounts.sessions import DEVICE_ID, DEVICE_KEY, DEVICE_SEEN

    return store_class().encode(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
            DEVICE_ID: device_id,
            DEVICE_KEY: session_key,
            DEVICE_SEEN: now_ts,
        }
    )


def job_prepare(readers: int, cookies: Path) -> dict:
    """One signed-in device per subscriber, as a sign-in leaves it (a Device row, a session
    naming the user, the device and its key), in bulk; the article to read made
    subscribers-only. Every earlier device, session and slot of this database goes."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from broadsheet.access.models import DailyCount, SharingFlag, SlotLease, Takeover
    from broadsheet.accounts.models import AuditEntry, Device
    from broadsheet.newsroom.models import ArticlePage

    started = time.monotonic()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    articles = ArticlePage.objects.live().filter(locale__language_code="en-us")
    articles = list(articles.order_by("-first_published_at", "-pk")[:2])
    gated, free = articles[0], articles[1]
    ArticlePage.objects.filter(pk=gated.pk).update(access_level="subscribers")
    ArticlePage.objects.filter(pk=free.pk).update(access_level="free")
    seats = _bench_seats(readers)
    if len(seats) < readers:
        raise SystemExit(f"asked for {readers} subscribers, the database has {len(seats)}")
    with transaction.atomic():
        Session.objects.all().delete()
        # In SQL: a Device's deletion frees its seat's slot one by one (a query each), and
        # Redis was emptied anyway; 10,000 of them would take minutes.
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM accounts_device USING accounts_user "
                "WHERE accounts_device.user_id = accounts_user.id "
                "AND accounts_user.username LIKE 'bench-%%'"
            )
        AuditEntry.objects.all().delete()
        for model in (SlotLease, Takeover, SharingFlag, DailyCount):
            model.objects.all().delete()
        keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in seats]
        devices = Device.objects.bulk_create(
            [
                Device(
                    user_id=user.pk,
                    session_key=key,
                    browser="Chrome",
                    platform="Android",
                    user_agent=BROWSER,
                    ip_address="127.0.0.1",
                    first_seen_at=now,
                    last_seen_at=now,
                )
                for (user, _seat), key in zip(seats, keys, strict=True)
            ],
            batch_size=2000,
        )
        expire = now + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        Session.objects.bulk_create(
            [
                Session(
                    session_key=key,
                    session_data=_session_data(
                        store_class, user, device.pk, key, int(now.timestamp())
                    ),
                    expire_date=expire,
                )
                for (user, _seat), key, device in zip(seats, keys, devices, strict=True)
            ],
            batch_size=2000,
        )
    cookies.write_text("".join(f"{key}\n" for key in keys))
    return {
        "gated_path": _path(gated),
        "gated_id": gated.pk,
        "gated_title": gated.title,
        "free_path": _path(free),
        "sessions": len(keys),
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "session_engine": settings.SESSION_ENGINE,
        "seconds": round(time.monotonic() - started, 1),
    }


def _path(page) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page.get_url()).path


def job_warm(readers: int) -> dict:
    """The state of readers who have been reading: each session's device seen just now (so the
    device middleware writes nothing, as for a reader within ACCOUNTS_DEVICE_SEEN_EVERY), each
    session and user's facts in the cache, each entitlement and seat's flag in the cache, each
    device holding its seat's slot."""
    from importlib import import_module

    from django.conf import settings
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from broadsheet.access.selectors import sharing_warning_for_seat
    from broadsheet.access.services import lease
    from broadsheet.access.stores import get_store
    from broadsheet.accounts.models import Device
    from broadsheet.accounts.sessions import signed_in_reader
    from broadsheet.subscriptions.selectors import entitlement_for

    started = time.monotonic()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    seats = _bench_seats(readers)
    devices = {
        device.user_id: device
        for device in Device.objects.filter(user__username__startswith="bench-").only(
            "pk", "user_id", "session_key"
        )
    }
    rows = []
    for user, _seat in seats:
        device = devices[user.pk]
        data = _session_data(store_class, user, device.pk, device.session_key, int(now.timestamp()))
        rows.append((data, device.session_key))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE django_session SET session_data = %s WHERE session_key = %s", rows
        )
    Device.objects.filter(user__username__startswith="bench-").update(last_seen_at=now)
    # Each session and its user's facts in the cache, as after a reader's first pages (the
    # way the body hole reads them: accounts.sessions.signed_in_reader).
    factory = RequestFactory()
    for _data, session_key in rows:
        request = factory.get("/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={session_key}")
        if signed_in_reader(request) is None:
            raise SystemExit(f"session {session_key[:6]}... is not signed in")
    store = get_store()
    held = 0
    for user, seat_id in seats:
        entitlement = entitlement_for(user, now=now)
        if entitlement is None or entitlement.seat_id != seat_id:
            raise SystemExit(f"user {user.pk} is not entitled by seat {seat_id}")
        outcome = store.slot_claim(
            seat_id=seat_id, device=str(devices[user.pk].pk), now=now, lease=lease()
        )
        # The seat's sharing flag (none) in the cache, as the body hole reads it on every view.
        sharing_warning_for_seat(entitlement=entitlement, now=now)
        held += outcome.held
    return {
        "sessions": len(rows),
        "slots_held": held,
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["prepare", "warm"])
    parser.add_argument("--readers", type=int, default=READERS)
    parser.add_argument("--cookies", type=Path)
    args = parser.parse_args()
    _django()
    if args.job == "prepare":
        result = job_prepare(args.readers, args.cookies)
    else:
        result = job_warm(args.readers)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
