"""The "Shared seats" staff screen: flags, takeovers, counts, and clearing a flag."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from broadsheet.access.models import SharingFlag
from broadsheet.accounts.models import AuditEntry
from broadsheet.accounts.tests.helpers import PASSWORD
from broadsheet.newsroom.tests import factories

from .conftest import device_client, subscriber_create

pytestmark = pytest.mark.django_db

WARNING = "Your subscription seems to be shared"


@pytest.fixture
def flagged_reader(store, en_world):
    gated = factories.article_publish(section=en_world, title="Gated", access_level="subscribers")
    user = subscriber_create(email="sharer@example.org")
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    phone.get(gated.url)
    for reader in (laptop, phone, laptop):
        reader.post("/_access/read-here/", {"article": gated.pk})
    return user, phone


def _staff(client, *, with_permission: bool):
    staff = get_user_model().objects.create_user("staffer", "staff@example.org", PASSWORD)
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    if with_permission:
        staff.user_permissions.add(Permission.objects.get(codename="manage_sharing"))
    client.force_login(staff)
    return staff


def test_staff_see_the_flag_and_the_takeovers_and_clear_it(client, flagged_reader):
    user, phone = flagged_reader
    staff = _staff(client, with_permission=True)

    page = client.get("/admin/sharing/").content.decode()
    assert "sharer@example.org" in page
    assert "Chrome on Android" in page and "Firefox on Linux" in page
    seat = user.seats.get()
    detail = client.get(f"/admin/sharing/seats/{seat.pk}/").content.decode()
    assert detail.count("Firefox on Linux") >= 2

    response = client.post(f"/admin/sharing/seats/{seat.pk}/clear/")
    assert response.status_code == 302
    flag = SharingFlag.objects.get()
    assert flag.end_reason == "staff_cleared" and flag.ended_by == staff
    assert AuditEntry.objects.filter(action="sharing.flag_cleared", subject=user).exists()
    assert WARNING not in phone.get("/en-us/").content.decode()
    assert "No seat is flagged as shared." in client.get("/admin/sharing/").content.decode()


def test_the_screen_needs_its_permission(client, flagged_reader):
    user, _phone = flagged_reader
    _staff(client, with_permission=False)
    # Wagtail answers a permission refusal with a redirect to the dashboard.
    refused = client.get("/admin/sharing/")
    assert refused.status_code == 302 and "sharer@example.org" not in refused.content.decode()
    client.post(f"/admin/sharing/seats/{user.seats.get().pk}/clear/")
    assert SharingFlag.objects.get().ended_at is None
