"""Browser tests: Playwright's sync API driving Debian's headless Chromium against a live server.

Run them with ``.venv/bin/pytest broadsheet/newsroom/tests/browser -m browser``. They need
/usr/bin/chromium (``apt-get install -y chromium``); without it they are skipped, saying why,
except when the CI environment variable is set: there a missing browser is a failure.
Screenshots go to test-artifacts/ at the repository root (git-ignored), and on a failure every
open tab is saved to test-artifacts/failures/.

Every test here runs against pytest-django's ``live_server``, so in a transaction-less database
that is flushed after each test. The fixtures ask for a serialized rollback so that what the
migrations created (Wagtail's root page, default site, locales, collections) is restored before
each test, then build the newsroom on top through the same services the real setup uses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from wagtail.models import Site

from broadsheet.newsroom import services

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[4]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

# Fail a step quickly with Playwright's own message rather than hang the suite.
ACTION_TIMEOUT_MS = 15_000
NAVIGATION_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 10_000


def artifact_path(name: str, *, folder: str = "") -> Path:
    """A file under test-artifacts/ (git-ignored) with a name safe on every filesystem."""
    directory = ARTIFACTS_DIR / folder if folder else ARTIFACTS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory / re.sub(r"[^A-Za-z0-9._-]+", "-", name)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(live_server) -> Iterator:
    """A headless Chromium for one test, started after its database is ready.

    Playwright's sync API runs an asyncio loop in the test's thread while it is started. Inside
    a running loop Django hands out other database connection objects than outside it (they
    are "thread critical" asgiref locals), and the serialized-rollback copy that restores
    Wagtail's tree after each flush lives on the outer one. So the browser starts after the
    test's database setup and stops before its flush, and a session-long browser is not an
    option: from the second test on, the restore would run inside the loop and find nothing.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `apt-get install -y chromium` to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set: these tests must run in CI)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Django refuses ORM calls from a thread with a running event loop unless told it is safe.
    # It is here (this thread serves no requests; the live server's threads do), and a test
    # may well read the database while its browser is open. Set only while the browser runs,
    # so that the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(live_editions, browser, live_server, request) -> Iterator[Callable]:
    """Open a fresh browser context (its own cookies: one person, one device).

    The newsroom is set up first, then the browser started (see ``browser``).

    On failure, every open page is screenshotted to test-artifacts/failures/ before closing.
    """
    contexts = []

    def open_context(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context

    failed = any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    for number, context in enumerate(contexts):
        # Closing a page fires its unload beacons (Wagtail's admin releases its editing
        # session), and the admin pings the server on a timer: refuse them all, or they would
        # reach the live server while the database is being flushed under it.
        context.route("**/*", lambda route: route.abort())
        if failed:
            for page_number, page in enumerate(context.pages):
                try:
                    page.screenshot(
                        path=artifact_path(
                            f"{request.node.name}-{number}-{page_number}.png", folder="failures"
                        ),
                        full_page=True,
                    )
                except Exception:  # noqa: BLE001  (a broken page must not hide the failure)
                    pass
        context.close()


@pytest.fixture
def page(new_context):
    """An anonymous reader's tab."""
    return new_context().new_page()


@pytest.fixture
def live_editions(live_server, django_db_serialized_rollback):
    """Both editions, the roles and the editorial workflow, served by the live server.

    Wagtail builds absolute URLs (feeds, sitemaps) from the default Site, so its hostname and
    port are those of the live server.
    """
    address = urlsplit(live_server.url)
    editions = services.editions_setup(hostname=address.hostname, port=address.port)
    services.roles_setup(editions=editions)
    # editions_setup keeps the hostname and port of a Site that already exists, and the
    # migrations always create one (localhost:80): point it at the live server here.
    Site.objects.filter(is_default_site=True).update(hostname=address.hostname, port=address.port)
    Site.clear_site_root_paths_cache()
    return editions
