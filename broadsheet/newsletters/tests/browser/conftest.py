"""The newsroom's browser fixtures (headless Chromium, a live server, both editions)."""

from broadsheet.newsroom.tests.browser.conftest import (  # noqa: F401
    browser,
    live_editions,
    new_context,
    page,
    pytest_runtest_makereport,
)
