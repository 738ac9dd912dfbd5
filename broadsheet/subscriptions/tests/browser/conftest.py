"""The newsroom's browser fixtures (headless Chromium, live server, both editions)."""

from broadsheet.accounts.tests.conftest import mailbox  # noqa: F401
from broadsheet.newsroom.tests.browser.conftest import (  # noqa: F401
    browser,
    live_editions,
    new_context,
)
