"""Sharing rules: an ended flag wipes the slate of takeovers, and a device is never told
that "another device" reads when it is the one holding the slot."""

from __future__ import annotations

import pytest
from django.utils import timezone

from broadsheet.access import rules, services
from broadsheet.access.models import SharingFlag
from broadsheet.accounts.tests.helpers import PASSWORD

from .conftest import (
    FENCE,
    NOTICE,
    SECRET,
    WARNING,
    device_client,
    subscriber_create,
)
from .conftest import heartbeat as _heartbeat
from .conftest import read as _read
from .conftest import read_here as _read_here

pytestmark = pytest.mark.django_db


def _flip(readers, article):
    for reader in readers:
        assert _read_here(reader, article).status_code == 302


def test_takeovers_before_a_flag_was_cleared_no_longer_count(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    _flip((laptop, phone, laptop), gated)
    flag = SharingFlag.objects.get(ended_at=None)

    services.sharing_flag_end(seat_id=flag.seat_id, reason="staff_cleared", now=timezone.now())
    assert WARNING not in phone.get("/en-us/").content.decode()

    # One ordinary handover afterwards is not sharing: the three before the clearing are gone.
    _flip((phone,), gated)
    assert not SharingFlag.objects.filter(ended_at=None).exists()
    assert WARNING not in phone.get("/en-us/").content.decode()
    # Three after it are, again.
    _flip((laptop, phone), gated)
    assert SharingFlag.objects.filter(ended_at=None).count() == 1
    assert WARNING in phone.get("/en-us/").content.decode()


def test_signing_out_everywhere_else_wipes_the_slate(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    _flip((laptop, phone, laptop), gated)
    assert laptop.post("/en-us/accounts/devices/", {"everywhere_else": "1"}).status_code == 302
    assert SharingFlag.objects.get().end_reason == "devices_signed_out"

    phone = device_client(user, "chrome-android")  # signs in again
    assert NOTICE in _read(phone, gated)
    _flip((phone,), gated)
    assert not SharingFlag.objects.filter(ended_at=None).exists()
    assert WARNING not in phone.get("/en-us/").content.decode()


def test_a_password_change_wipes_the_slate(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    _read(phone, gated)
    _flip((laptop, phone, laptop), gated)
    new_password = "a new long passphrase 7"
    changed = laptop.post(
        "/en-us/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert changed.status_code == 302
    assert SharingFlag.objects.get().ended_at is not None

    user.refresh_from_db()  # its new password: a session of the old one is not signed in
    phone = device_client(user, "chrome-android")  # signed out by the change; signs in again
    assert NOTICE in _read(phone, gated)
    _flip((phone,), gated)  # one ordinary handover: the three before the change are gone
    assert not SharingFlag.objects.filter(ended_at=None).exists()
    assert WARNING not in phone.get("/en-us/").content.decode()


def test_a_second_tab_of_the_device_holding_the_slot_just_reads(store, gated):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    first_tab = int(FENCE.search(_read(phone, gated)).group(1))
    _read_here(laptop, gated)
    # A second tab on the phone meets the laptop's notice and takes the slot back.
    assert "Firefox on Linux" in _read(phone, gated)
    _read_here(phone, gated)
    second_tab = int(FENCE.search(_read(phone, gated)).group(1))
    assert second_tab > first_tab

    # The first tab's next heartbeat: the phone holds the slot, so it reads on.
    answer = _heartbeat(phone, gated, first_tab)
    assert answer == {"state": "reading", "fence": second_tab}
    assert _heartbeat(phone, gated, second_tab)["state"] == "reading"
    page = _read(phone, gated)
    assert SECRET in page and NOTICE not in page
    # The laptop is the one told.
    answer = _heartbeat(laptop, gated, first_tab)
    assert answer["state"] == "notice" and "Chrome on Android" in answer["html"]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        # Refused, and the holder is this very device: it reads, with the current fence.
        (
            rules.SlotOutcome(available=True, held=False, fence=9, holder_device="7"),
            rules.SlotOutcome(available=True, held=True, fence=9),
        ),
        # Refused for another device: unchanged, the notice names it.
        (
            rules.SlotOutcome(available=True, held=False, fence=9, holder_device="8"),
            rules.SlotOutcome(available=True, held=False, fence=9, holder_device="8"),
        ),
        (
            rules.SlotOutcome(available=True, held=True, fence=9),
            rules.SlotOutcome(available=True, held=True, fence=9),
        ),
        (rules.SLOT_UNAVAILABLE, rules.SLOT_UNAVAILABLE),
    ],
)
def test_a_heartbeat_refused_to_the_holder_itself_reads_on(outcome, expected):
    assert rules.heartbeat_of_holder(outcome, device="7") == expected
