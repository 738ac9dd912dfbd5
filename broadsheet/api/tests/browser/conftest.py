"""The API's browser tests reuse the newsroom's: Playwright driving Debian's headless Chromium
against the live server (see broadsheet/newsroom/tests/browser/conftest.py)."""

from broadsheet.newsroom.tests.browser.conftest import (  # noqa: F401  (fixtures and hook)
    artifact_path,
    browser,
    live_editions,
    new_context,
    pytest_runtest_makereport,
)
