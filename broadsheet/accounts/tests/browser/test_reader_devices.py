"""In a real browser: a reader registers, verifies by the emailed link, signs in on a second
browser, sees both devices, and signs one out from the other."""

from __future__ import annotations

import pytest

from broadsheet.accounts.models import Device
from broadsheet.accounts.tests.helpers import CHROME_ANDROID, FIREFOX_WINDOWS, PASSWORD, Inbox

pytestmark = pytest.mark.browser


def test_register_verify_sign_in_twice_and_sign_one_out(new_context, mailbox, live_server):
    from playwright.sync_api import expect

    phone = new_context(user_agent=CHROME_ANDROID).new_page()
    phone.goto("/en-us/accounts/signup/")
    phone.fill("#id_email", "browser.reader@example.com")
    phone.fill("#id_password1", PASSWORD)
    phone.fill("#id_password2", PASSWORD)
    phone.get_by_role("button", name="Sign Up").click()
    expect(phone.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    message = mailbox.last_to("browser.reader@example.com")
    [link] = [url for url in Inbox.links(message) if "/confirm-email/" in url]
    phone.goto(link.replace("http://testserver", live_server.url))
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_role("heading", name="My account")).to_be_visible()

    laptop = new_context(user_agent=FIREFOX_WINDOWS).new_page()
    laptop.goto("/en-us/accounts/login/")
    laptop.fill("#id_login", "browser.reader@example.com")
    laptop.fill("#id_password", PASSWORD)
    laptop.get_by_role("button", name="Sign In").click()
    expect(laptop.get_by_role("heading", name="My account")).to_be_visible()

    phone.goto("/en-us/accounts/devices/")
    devices = phone.locator(".device-list > li")
    expect(devices).to_have_count(2)
    expect(phone.get_by_text("Chrome on Android", exact=True)).to_be_visible()
    expect(phone.get_by_text("Firefox on Windows", exact=True)).to_be_visible()

    phone.get_by_role("button", name="Sign out Firefox on Windows").click()
    expect(phone.locator(".device-list > li")).to_have_count(1)

    laptop.goto("/en-us/accounts/")
    expect(laptop).to_have_url(f"{live_server.url}/en-us/accounts/login/?next=/en-us/accounts/")
    assert list(Device.objects.values_list("browser", flat=True)) == ["Chrome"]
