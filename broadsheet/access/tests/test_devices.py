"""One device at a time: notices, "Read here", heartbeats, sharing flags and ways out."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from broadsheet.access.models import CountKind, DailyCount, SharingFlag, Takeover
from broadsheet.accounts.tests.helpers import PASSWORD

from .conftest import FENCE, NOTICE, SECRET, WARNING, device_client, subscriber_create
from .conftest import heartbeat as _heartbeat
from .conftest import read as _read
from .conftest import read_here as _read_here

pytestmark = pytest.mark.django_db


def test_takeover_moves_the_slot_and_the_open_page_learns_it(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")

    page = _read(phone, gated)
    assert SECRET in page
    phone_fence = int(FENCE.search(page).group(1))
    assert _heartbeat(phone, gated, phone_fence)["state"] == "reading"

    notice = _read(laptop, gated)
    assert NOTICE in notice and "Chrome on Android" in notice and SECRET not in notice

    response = _read_here(laptop, gated)
    assert response.status_code == 302 and response["Location"] == gated.url
    assert SECRET in _read(laptop, gated)

    # The phone's open page: its next heartbeat brings the notice, naming the laptop.
    answer = _heartbeat(phone, gated, phone_fence)
    assert answer["state"] == "notice"
    assert NOTICE in answer["html"] and "Firefox on Linux" in answer["html"]
    assert NOTICE in _read(phone, gated)

    takeover = Takeover.objects.get()
    assert takeover.from_label == "Chrome on Android" and takeover.to_label == "Firefox on Linux"
    # Notices are added up in the cache, then written by the minute tick.
    assert not DailyCount.objects.filter(kind=CountKind.NOTICE).exists()
    call_command("access_tick", stdout=StringIO())
    assert DailyCount.objects.get(kind=CountKind.NOTICE).count == 2


def test_a_paused_device_with_an_old_fence_is_refused(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    old_fence = int(FENCE.search(_read(phone, gated)).group(1))
    _read_here(laptop, gated)
    assert _heartbeat(phone, gated, old_fence)["state"] == "notice"
    _read_here(phone, gated)  # the phone holds the slot again, with a newer fence
    new_fence = int(FENCE.search(_read(phone, gated)).group(1))

    assert new_fence > old_fence
    # The phone's old tab is the phone: it reads on, with the new fence.
    assert _heartbeat(phone, gated, old_fence) == {"state": "reading", "fence": new_fence}
    assert _heartbeat(phone, gated, new_fence)["state"] == "reading"
    assert _heartbeat(laptop, gated, old_fence)["state"] == "notice"


def test_the_slot_is_free_again_after_the_lease(store, gated, time_machine):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    time_machine.move_to(timezone.now(), tick=False)
    _read(phone, gated)
    time_machine.shift(timedelta(minutes=4))
    assert NOTICE in _read(laptop, gated)
    time_machine.shift(timedelta(minutes=2))
    assert SECRET in _read(laptop, gated)  # nobody active: taken silently
    assert not Takeover.objects.exists()


def test_signing_out_frees_the_slot_at_once(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    assert NOTICE in _read(laptop, gated)
    phone.post("/en-us/accounts/logout/")
    assert SECRET in _read(laptop, gated)


def test_three_flips_flag_the_seat_on_every_page_until_the_password_changes(store, gated, client):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    for reader in (laptop, phone, laptop):
        _read_here(reader, gated)

    assert SharingFlag.objects.filter(ended_at=None).count() == 1
    for reader in (phone, laptop):
        assert WARNING in reader.get("/en-us/").content.decode()
        assert WARNING in _read(reader, gated)
    assert WARNING not in client.get("/en-us/").content.decode()  # nobody else sees it

    response = laptop.post(
        "/en-us/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a new long passphrase 7",
            "password2": "a new long passphrase 7",
        },
    )
    assert response.status_code == 302
    assert WARNING not in laptop.get("/en-us/").content.decode()
    assert SECRET in _read(laptop, gated)
    # The phone was signed out by the password change.
    assert NOTICE not in _read(phone, gated) and SECRET not in _read(phone, gated)
    assert SharingFlag.objects.get().end_reason == "password_changed"


def test_the_warning_cools_down_after_a_quiet_week(store, gated, time_machine):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    time_machine.move_to(timezone.now(), tick=False)
    _read(phone, gated)
    for reader in (laptop, phone, laptop):
        _read_here(reader, gated)
    assert WARNING in phone.get("/en-us/").content.decode()
    time_machine.shift(timedelta(days=7, minutes=1))
    assert WARNING not in phone.get("/en-us/").content.decode()
    call_command("access_tick", stdout=StringIO())
    assert SharingFlag.objects.get().end_reason == "cooled"


def test_upgrading_ends_the_warning(store, gated, django_capture_on_commit_callbacks):
    from broadsheet.subscriptions.models import Plan, Subscription

    user = subscriber_create(kind="digital")
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    for reader in (laptop, phone, laptop):
        _read_here(reader, gated)
    assert WARNING in phone.get("/en-us/").content.decode()

    premium = Plan.objects.get(kind="premium", locale__language_code="en-us", is_active=True)
    subscription = Subscription.objects.get(holder=user)
    subscription.plan = premium
    subscription.save()
    from broadsheet.subscriptions.services.entitlements import entitlements_drop

    with django_capture_on_commit_callbacks(execute=True):
        entitlements_drop(user_ids=[user.pk])
    assert WARNING not in phone.get("/en-us/").content.decode()

    from broadsheet.access import services

    assert services.sharing_flags_settle(now=timezone.now()) == 1
    assert SharingFlag.objects.get().end_reason == "upgraded"
    assert DailyCount.objects.get(kind=CountKind.CONVERTED).count == 1


def test_the_devices_page_says_which_device_reads_now(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(laptop, gated)
    page = phone.get("/en-us/accounts/devices/").content.decode()
    reading = re.search(r'<li data-device="(\d+)">(?:(?!</li>).)*data-reading', page, re.S)
    assert reading is not None
    assert reading.group(1) == str(laptop.session["accounts_device"])
    assert page.count("data-reading") == 1
