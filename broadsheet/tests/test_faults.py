"""Faults of the services production depends on, with the real processes (marker `topology`):
the one Redis of REDIS_URL (cache, sessions, page cache, slots, counters) killed and restarted
under load, and a database that accepts connections and never answers."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from broadsheet.accounts.tests.helpers import PASSWORD

from .topology import Gunicorn, HttpClient, Varnish, manage_shell, production_env, require

pytestmark = pytest.mark.topology

SECRET = "What the minutes say."

# Run in the topology's database before gunicorn starts: a free and a gated article, a free
# reader and a subscriber, both with a verified address (sign-in requires one).
SETUP = f"""
import json
from broadsheet.access.tests.conftest import subscriber_create
from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.newsroom.models import EditionPage
from broadsheet.newsroom.tests import factories

edition = EditionPage.objects.get(locale__language_code="en-us")
section = factories.section_create(edition=edition, title="World", slug="world")
free = factories.article_publish(section=section, title="Open minutes", access_level="free")
gated = factories.article_publish(
    section=section,
    title="Minutes",
    access_level="subscribers",
    body=[("paragraph", "<p>{SECRET}</p>")],
)
reader_create(email_address="reader@example.org")
subscriber_create(email="subscriber@example.org")
print(json.dumps({{"home": edition.url, "free": free.url, "gated": gated.url}}))
"""

# What must never be lost; sessions and devices are checked per reader.
DURABLE_TABLES = [
    "accounts_user",
    "account_emailaddress",
    "subscriptions_subscription",
    "subscriptions_seat",
    "wagtailcore_page",
]


def row_counts(database) -> dict[str, int]:
    return {
        table: database.query(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
        for table in DURABLE_TABLES
    }


def health(port: int) -> dict:
    status, _headers, body = HttpClient(port).get("/healthz")
    return {"http": status, **json.loads(body)}


def run_phase(requests: list[Callable[[], bool]], rounds: int) -> Counter:
    """Each request function `rounds` times, four at a time: counts of 2xx, 3xx, 5xx and of
    answers whose body was not what it should be ("wrong")."""
    tally: Counter = Counter()
    lock = threading.Lock()

    def one(request: Callable[[], tuple[int, bool]]) -> None:
        status, right = request()
        with lock:
            tally[f"{status // 100}xx"] += 1
            if not right:
                tally["wrong"] += 1

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, [request for _ in range(rounds) for request in requests]))
    return tally


def test_redis_killed_and_restarted_under_load(topology_database, private_redis, tmp_path):
    require(redis=True, varnish=True)
    env = production_env(database_url=topology_database.url, redis_url=private_redis.url)
    urls = json.loads(manage_shell(env, SETUP, logs=tmp_path).strip().splitlines()[-1])
    with (
        Gunicorn(env, logs=tmp_path, workers=2, threads=4) as web,
        Varnish(backend_port=web.port, logs=tmp_path) as front,
    ):
        reader, subscriber = HttpClient(web.port), HttpClient(web.port)
        assert reader.sign_in("reader@example.org", PASSWORD) == 302
        assert subscriber.sign_in("subscriber@example.org", PASSWORD) == 302
        anonymous = HttpClient(web.port)
        # The same browsers through Varnish, which fetches the gated body per reader (ESI).
        anonymous_via_varnish = HttpClient(front.port)
        subscriber_via_varnish = HttpClient(front.port)
        subscriber_via_varnish.cookies = subscriber.cookies

        def anonymous_page() -> tuple[int, bool]:
            status, _headers, body = anonymous.get(urls["free"])
            return status, b"Open minutes" in body

        def anonymous_home() -> tuple[int, bool]:
            status, _headers, _body = HttpClient(web.port).get(urls["home"])
            return status, True

        def reader_account() -> tuple[int, bool]:
            status, _headers, body = reader.get("/en-us/accounts/")
            return status, status == 200 and b"reader@example.org" in body

        def reader_page() -> tuple[int, bool]:
            status, _headers, body = reader.get(urls["free"])
            return status, b"Open minutes" in body

        def subscriber_gated() -> tuple[int, bool]:
            status, _headers, body = subscriber.get(urls["gated"])
            return status, SECRET.encode() in body

        def varnish_page() -> tuple[int, bool]:
            status, _headers, body = anonymous_via_varnish.get(urls["free"])
            return status, b"Open minutes" in body

        def varnish_gated() -> tuple[int, bool]:
            status, _headers, body = subscriber_via_varnish.get(urls["gated"])
            return status, SECRET.encode() in body

        load = [
            anonymous_page,
            anonymous_home,
            reader_account,
            reader_page,
            subscriber_gated,
            varnish_page,
            varnish_gated,
        ]
        rows = row_counts(topology_database)
        sessions = [reader.cookies["sessionid"], subscriber.cookies["sessionid"]]

        before = run_phase(load, rounds=6)
        assert health(web.port)["status"] == "ok"

        private_redis.kill()
        during = run_phase(load, rounds=6)
        degraded = health(web.port)
        # A reader who was signed out signs in while Redis is down.
        latecomer = HttpClient(web.port)
        late_sign_in = latecomer.sign_in("reader@example.org", PASSWORD)
        late_account = latecomer.get("/en-us/accounts/")[0]

        private_redis.start()  # empty, as a Redis restarted without a snapshot
        restarted = time.monotonic()
        # Each web process asks Redis again every REDIS_RETRY_MS; waited for, not timed.
        while (recovered := health(web.port))["status"] != "ok":
            if time.monotonic() > restarted + 30:
                break
            time.sleep(0.1)
        recovery_seconds = time.monotonic() - restarted
        after = run_phase(load, rounds=6)
        # The page cache serves again: the second request of a page is a hit.
        anonymous.get(urls["free"])
        cache_state = anonymous.get(urls["free"])[1].get("x-page-cache")

    counts = {"before": before, "during": during, "after": after}
    for phase, tally in counts.items():
        assert tally["5xx"] == 0 and tally["wrong"] == 0, (phase, counts)
        assert tally["2xx"] == 6 * len(load), (phase, counts)
    assert degraded["http"] == 200 and degraded["status"] == "degraded", degraded
    assert degraded["checks"] == {"database": "ok", "cache": "unavailable"}
    assert (late_sign_in, late_account) == (302, 200)
    assert recovered["http"] == 200 and recovered["status"] == "ok", (recovered, recovery_seconds)
    assert cache_state == "hit"
    # Nothing in PostgreSQL was lost, and the readers kept the sessions they had.
    assert row_counts(topology_database) == rows
    assert [reader.cookies["sessionid"], subscriber.cookies["sessionid"]] == sessions
    stored = topology_database.query(
        "SELECT session_key FROM django_session WHERE session_key = ANY(%s)", (sessions,)
    )
    assert sorted(key for (key,) in stored) == sorted(sessions)


class SilentDatabase:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()


def test_a_database_that_never_answers(collected_static, tmp_path):
    require(postgres=False)
    with SilentDatabase() as database:
        env = production_env(
            database_url=f"postgres://postgres@127.0.0.1:{database.port}/broadsheet",
            redis_url="",
        )
        # What bounds the wait (read, not timed): libpq gives up connecting after 2 s, the
        # server ends a statement after 30 s.
        options = json.loads(
            manage_shell(
                env,
                "import json; from django.db import connection; "
                "print(json.dumps(connection.settings_dict['OPTIONS']))",
                logs=tmp_path,
            )
            .strip()
            .splitlines()[-1]
        )
        with Gunicorn(env, logs=tmp_path) as web:
            client = HttpClient(web.port, timeout=10)
            status, headers, body = client.get("/healthz")
            spanish = client.get("/es-es/")
            english = client.get("/en-us/world/")

    assert options["connect_timeout"] == 2
    assert "-c statement_timeout=30000" in options["options"]
    assert status == 503
    assert json.loads(body)["checks"]["database"].startswith("unavailable")
    assert headers["cache-control"].startswith("max-age=0")
    assert spanish[0] == 503 and "Volvemos enseguida" in spanish[2].decode()
    assert spanish[1]["retry-after"] == "30"
    assert english[0] == 503 and "We will be right back" in english[2].decode()
