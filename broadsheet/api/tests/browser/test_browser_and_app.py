"""In a real browser and the app on one account: the slot passes between them both ways, each
sees the other's notice (the browser's open page through its heartbeat), three takeovers bring
the sharing warning to both, and a password change on the web ends the app's token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from broadsheet.access.tests.browser.test_access_journey import (
    HEARTBEAT_SECONDS,
    HEARTBEAT_WAIT_MS,
    NEW_PASSWORD,
    NOTICE,
    SECRET,
    WARNING,
    expect_notice,
    expect_reading,
    read_here,
    seat,
    sign_in,
    warning,
)
from broadsheet.accounts.tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

__all__ = ["seat"]


class LiveApp:
    """The app, speaking to the live server over HTTP as a phone would."""

    def __init__(self, base_url: str, article_id: int):
        self.base = f"{base_url}/api/v1/en-us/"
        self.article_id = article_id
        self.token = ""

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", "User-Agent": "BroadsheetApp/3.2"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def sign_in(self, email: str) -> None:
        status, answer = self.call(
            "POST", "me/sign-in/", {"email": email, "password": PASSWORD, "platform": "iphone"}
        )
        assert status == 201, answer
        self.token = answer["token"]

    def body(self) -> dict:
        return self.call("GET", f"me/articles/{self.article_id}/body/")[1]

    def read_here(self) -> dict:
        return self.call("POST", f"me/articles/{self.article_id}/read-here/")[1]

    def heartbeat(self, fence: int) -> dict:
        return self.call("POST", f"me/articles/{self.article_id}/heartbeat/", {"fence": fence})[1]


def test_a_browser_and_the_app_share_one_slot(seat, new_context, live_server):
    from broadsheet.newsroom.models import ArticlePage

    article_id = ArticlePage.objects.get(title="The hidden ledger").pk
    laptop = sign_in(new_context(), seat)
    expect_reading(laptop)
    app = LiveApp(live_server.url, article_id)
    app.sign_in(seat.email)

    # The app meets the notice naming the browser, and no body.
    reading = app.body()
    assert reading["show"] == "device_notice" and reading["body_html"] is None
    assert reading["notice"]["title"] == NOTICE
    assert reading["notice"]["holder_device"] == "Chrome on Linux"

    # 1: the app reads here; the browser's open page learns it at its next heartbeat.
    taken = app.read_here()
    assert taken["show"] == "body" and SECRET in taken["body_html"]
    assert taken["slot"]["heartbeat_seconds"] == HEARTBEAT_SECONDS
    expect_notice(laptop, holder="Broadsheet app on iPhone", timeout=HEARTBEAT_WAIT_MS)

    # 2: the browser takes it back; the app's heartbeat brings it the notice.
    read_here(laptop, seat)
    beat = app.heartbeat(taken["slot"]["fence"])
    assert beat["state"] == "notice" and beat["notice"]["holder_device"] == "Chrome on Linux"

    # 3: the app again: the seat is flagged as shared, on both.
    third = app.read_here()
    assert third["sharing_warning"]["title"] == WARNING
    laptop.goto(seat.article_url)
    expect(warning(laptop).get_by_role("heading", level=2)).to_have_text(WARNING)

    # A password change on the web signs the app out: its token stops working.
    laptop.goto("/en-us/accounts/password/change/")
    laptop.fill("#id_oldpassword", PASSWORD)
    laptop.fill("#id_password1", NEW_PASSWORD)
    laptop.fill("#id_password2", NEW_PASSWORD)
    with laptop.expect_navigation():
        laptop.get_by_role("button", name="Change Password").click()
    status, problem = app.call("GET", "me/")
    assert status == 401 and "signed out" in problem["detail"]
