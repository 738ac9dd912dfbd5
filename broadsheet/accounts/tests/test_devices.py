"""Devices: every signed-in browser, named from its User-Agent; sign one out, or all others;
a password change or reset signs every other device out."""

from __future__ import annotations

import re

import time_machine
from django.conf import settings
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry, Device

from .helpers import (
    CHROME_ANDROID,
    FIREFOX_WINDOWS,
    PASSWORD,
    SAFARI_IPHONE,
    Inbox,
    browser,
    path_of,
    reader_create,
    sign_in,
)

NEW_PASSWORD = "another long passphrase 77"


def _session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _signed_in(client) -> bool:
    return client.get("/en-us/accounts/").status_code == 200


def test_each_browser_is_a_device_with_a_readable_name(en_edition):
    reader = reader_create()
    phone, laptop = browser(CHROME_ANDROID), browser(FIREFOX_WINDOWS)
    sign_in(phone, email_address=reader.email)
    sign_in(laptop, email_address=reader.email)

    names = sorted(d.name for d in Device.objects.filter(user=reader))
    assert names == ["Chrome on Android", "Firefox on Windows"]
    page = phone.get("/en-us/accounts/devices/").content.decode()
    assert "Chrome on Android" in page and "Firefox on Windows" in page
    assert "this device" in page


def test_a_new_session_key_at_every_sign_in(en_edition):
    reader = reader_create()
    client = browser(SAFARI_IPHONE)
    client.get("/en-us/accounts/login/")  # a session (and CSRF cookie) before signing in
    client.session.save()
    before = client.session.session_key
    sign_in(client, email_address=reader.email)
    after = _session_key(client)
    assert before != after
    assert Device.objects.get(user=reader).session_key == after


def test_sign_out_one_device_from_another(en_edition):
    reader = reader_create()
    phone, laptop = browser(CHROME_ANDROID), browser(FIREFOX_WINDOWS)
    sign_in(phone, email_address=reader.email)
    sign_in(laptop, email_address=reader.email)
    laptop_device = Device.objects.get(user=reader, browser="Firefox")

    response = phone.post("/en-us/accounts/devices/", {"device": laptop_device.pk})
    assert response.status_code == 302

    assert not _signed_in(laptop)  # its very next request is anonymous
    assert _signed_in(phone)
    assert list(Device.objects.filter(user=reader).values_list("browser", flat=True)) == ["Chrome"]
    assert AuditEntry.objects.filter(subject=reader, action="device.signed_out").exists()


def test_a_reader_cannot_sign_out_someone_elses_device(en_edition):
    alice, bob = reader_create(), reader_create()
    alice_client, bob_client = browser(CHROME_ANDROID), browser(FIREFOX_WINDOWS)
    sign_in(alice_client, email_address=alice.email)
    sign_in(bob_client, email_address=bob.email)
    bobs = Device.objects.get(user=bob)

    alice_client.post("/en-us/accounts/devices/", {"device": bobs.pk})
    assert _signed_in(bob_client)
    assert alice_client.post("/en-us/accounts/devices/", {"device": "x"}).status_code == 400


def test_sign_out_everywhere_else(en_edition):
    reader = reader_create()
    clients = [browser(ua) for ua in (CHROME_ANDROID, FIREFOX_WINDOWS, SAFARI_IPHONE)]
    for client in clients:
        sign_in(client, email_address=reader.email)

    clients[0].post("/en-us/accounts/devices/", {"everywhere_else": "1"})
    assert [_signed_in(c) for c in clients] == [True, False, False]
    assert Device.objects.filter(user=reader).count() == 1


def test_signing_out_removes_the_device(en_edition):
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address=reader.email)
    client.post("/en-us/accounts/logout/")
    assert not Device.objects.filter(user=reader).exists()


def test_password_change_signs_out_every_other_device_and_keeps_this_one(en_edition, mailbox):
    reader = reader_create()
    here, there, elsewhere = browser(CHROME_ANDROID), browser(FIREFOX_WINDOWS), browser()
    for client in (here, there, elsewhere):
        sign_in(client, email_address=reader.email)
    device = Device.objects.get(user=reader, browser="Chrome")
    key_before = _session_key(here)

    response = here.post(
        "/en-us/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert _signed_in(here)
    assert not _signed_in(there)
    assert not _signed_in(elsewhere)
    key_after = _session_key(here)
    assert key_after != key_before
    # The same device, now under the new session key.
    assert list(Device.objects.filter(user=reader)) == [device]
    device.refresh_from_db()
    assert device.session_key == key_after
    # And the reader is told by email.
    assert mailbox.last_to(reader.email)


def test_password_change_asks_for_the_current_password(en_edition):
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address=reader.email)
    response = client.post(
        "/en-us/accounts/password/change/",
        {"oldpassword": "not it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


def test_password_reset_by_email_signs_out_every_device(en_edition, mailbox):
    reader = reader_create()
    phone, laptop = browser(CHROME_ANDROID), browser(FIREFOX_WINDOWS)
    sign_in(phone, email_address=reader.email)
    sign_in(laptop, email_address=reader.email)

    stranger = browser(SAFARI_IPHONE)  # the reader, on a device that is not signed in
    stranger.post("/en-us/accounts/password/reset/", {"email": reader.email})
    [link] = [u for u in Inbox.links(mailbox.last_to(reader.email)) if "/password/reset/key/" in u]
    form_page = stranger.get(path_of(link), follow=True)
    assert form_page.status_code == 200
    response = stranger.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path_of(link),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302

    assert not _signed_in(phone)
    assert not _signed_in(laptop)
    assert _signed_in(stranger)  # signed in where the reset was made, with a fresh device
    assert list(Device.objects.filter(user=reader).values_list("browser", flat=True)) == ["Safari"]
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)


def test_password_reset_answers_the_same_for_unknown_addresses(en_edition, mailbox):
    reader_create(email_address="known@example.com")
    client = browser()
    known = client.post("/en-us/accounts/password/reset/", {"email": "known@example.com"})
    unknown = browser().post("/en-us/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The unknown address is told it has no account; it gets no reset link.
    message = mailbox.last_to("nobody@example.com")
    assert not [u for u in Inbox.links(message) if "/password/reset/key/" in u]


def test_last_seen_is_written_at_most_every_few_minutes(en_edition):
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, email_address=reader.email)
    device = Device.objects.get(user=reader)
    assert device.first_seen_at == device.last_seen_at == start

    with time_machine.travel(start + timezone.timedelta(seconds=30), tick=False):
        client.get("/en-us/accounts/")
    device.refresh_from_db()
    assert device.last_seen_at == start

    later = start + timezone.timedelta(seconds=settings.ACCOUNTS_DEVICE_SEEN_EVERY + 1)
    with time_machine.travel(later, tick=False):
        client.get("/en-us/accounts/")
    device.refresh_from_db()
    assert device.last_seen_at == later
    assert device.first_seen_at == start


def test_a_browser_whose_device_row_is_gone_is_signed_out(en_edition):
    """Even if its session survived (a cache-backed session store that missed the delete),
    a browser whose device was signed out is signed out at its next check."""
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address=reader.email)
    Device.objects.filter(user=reader).delete()
    later = timezone.now() + timezone.timedelta(seconds=settings.ACCOUNTS_DEVICE_SEEN_EVERY + 1)
    with time_machine.travel(later, tick=False):
        assert not _signed_in(client)


def test_the_header_shows_sign_in_or_my_account(en_world):
    from broadsheet.newsroom.tests.factories import article_publish

    article = article_publish(section=en_world, title="Header check")
    anonymous = browser()
    first = anonymous.get(article.url)
    again = browser().get(article.url)
    assert b"Sign in" in first.content
    assert again["X-Page-Cache"] == "hit"  # still one shared page for anonymous readers
    assert re.search(
        rb'href="/en-us/accounts/login/\?next=/en-us/world/header-check/"', first.content
    )

    reader = reader_create()
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address=reader.email)
    page = client.get(article.url)
    assert b"My account" in page.content
    # Signed in: never the anonymous copy; the members' copy, with its personal parts as holes.
    assert page["X-Page-Cache"] in {"member-miss", "member-hit"}
