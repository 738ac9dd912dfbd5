"""A password change reaches access through accounts' after_sign_out hook: once, after the
change commits, freeing the slot of the device it signed out and ending the sharing flag."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from broadsheet.access.models import SharingFlag
from broadsheet.accounts import hooks
from broadsheet.accounts import services as account_services
from broadsheet.accounts.models import Device
from broadsheet.accounts.sessions import DEVICE_ID
from broadsheet.subscriptions.selectors import entitlement_for

from .conftest import device_client, read, read_here, subscriber_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_outs(monkeypatch) -> list[hooks.SignOut]:
    """Every announcement the sign-out steps receive, recorded by one more step."""
    seen: list[hooks.SignOut] = []
    monkeypatch.setattr(hooks, "_after_sign_out", [*hooks.after_sign_out_steps(), seen.append])
    return seen


def _request_of(client, user) -> HttpRequest:
    request = HttpRequest()
    request.user = user
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    request.session = store_class(session_key=client.session.session_key)
    return request


def test_a_password_change_frees_the_slot_once_and_ends_the_flag_after_commit(
    store, gated, sign_outs, django_capture_on_commit_callbacks
):
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    read(phone, gated)
    for reader in (laptop, phone, laptop):
        assert read_here(reader, gated).status_code == 302
    seat_id = entitlement_for(user).seat_id
    laptop_key = str(laptop.session[DEVICE_ID])
    assert store.slot_holder(seat_id=seat_id)[0] == laptop_key
    assert SharingFlag.objects.filter(ended_at=None).count() == 1

    # The phone changes the password: the laptop is signed out.
    with django_capture_on_commit_callbacks() as on_commit:
        account_services.password_changed(
            request=_request_of(phone, user), user=user, reset=False, now=timezone.now()
        )
        assert list(Device.objects.filter(user=user).values_list("browser", flat=True)) == [
            "Chrome"
        ]
        # Not yet committed: Redis and the flag are untouched inside the transaction.
        assert store.slot_holder(seat_id=seat_id)[0] == laptop_key
        assert SharingFlag.objects.filter(ended_at=None).count() == 1
        assert sign_outs == []

    for callback in on_commit:
        callback()

    assert len(sign_outs) == 1
    assert sign_outs[0].device_keys == (laptop_key,) and sign_outs[0].password_changed
    assert store.slot_holder(seat_id=seat_id)[0] == ""
    assert SharingFlag.objects.get().end_reason == "password_changed"
