"""Staff in the Wagtail admin: find a reader, see everything about them, grant comps, end
subscriptions, sign devices out; reporters see none of it."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry, Device
from broadsheet.accounts.tests.helpers import (
    CHROME_ANDROID,
    PASSWORD,
    browser,
    reader_create,
    sign_in,
)
from broadsheet.newsroom import services as newsroom_services
from broadsheet.subscriptions.models import Source, Status, Subscription
from broadsheet.subscriptions.selectors import entitlement_for
from broadsheet.subscriptions.services.staff import subscription_grant_comp, subscriptions_expire

from .helpers import invite_and_accept, subscription_create


def _staff_client(**fields):
    staff = get_user_model().objects.create_superuser(
        f"staff{timezone.now().timestamp()}", "staff@example.com", PASSWORD
    )
    client = browser()
    client.force_login(staff)
    return client, staff


def test_find_a_reader_and_see_everything(plans):
    reader, partner = reader_create(email_address="found@example.com"), reader_create()
    subscription = subscription_create(holder=reader, plan=plans[("en-us", "premium")])
    invite_and_accept(subscription, inviter=reader, user=partner)
    sign_in(browser(CHROME_ANDROID), email_address=reader.email)
    client, _staff = _staff_client()

    found = client.get("/admin/readers/", {"q": "FOUND@example.com"})
    assert found.status_code == 200
    assert f"/admin/readers/{reader.pk}/".encode() in found.content
    partial = client.get("/admin/readers/", {"q": "found"})
    assert b"found@example.com" in partial.content

    page = client.get(f"/admin/readers/{reader.pk}/").content.decode()
    assert "Premium" in page
    assert partner.email in page
    assert "Chrome on Android" in page
    assert "seat.taken" in page  # the audit log
    assert f"subscription #{subscription.pk}" in page  # the entitlement


def test_grant_a_comp_without_stripe(plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    reader = reader_create()
    client, staff = _staff_client()
    plan = plans[("en-us", "digital")]
    ends_on = (timezone.now() + timedelta(days=30)).date()
    response = client.post(
        f"/admin/readers/{reader.pk}/comp/",
        {"plan": plan.pk, "ends_on": ends_on.isoformat(), "quantity": 1, "note": "press pass"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(holder=reader)
    assert (subscription.source, subscription.status, subscription.granted_by) == (
        Source.COMP,
        Status.ACTIVE,
        staff,
    )
    assert entitlement_for(reader).subscription_id == subscription.pk
    entry = AuditEntry.objects.get(action="subscription.comp_granted")
    assert (entry.actor, entry.actor_kind, entry.subject) == (staff, "staff", reader)


def test_a_comp_ending_in_the_past_is_refused(plans):
    reader = reader_create()
    client, _staff = _staff_client()
    client.post(
        f"/admin/readers/{reader.pk}/comp/",
        {
            "plan": plans[("en-us", "digital")].pk,
            "ends_on": "2001-01-01",
            "quantity": 1,
            "note": "x",
        },
    )
    assert not Subscription.objects.exists()


def test_end_a_comp_and_sign_out_devices(plans):
    reader = reader_create()
    reader_browser = browser(CHROME_ANDROID)
    sign_in(reader_browser, email_address=reader.email)
    client, staff = _staff_client()
    subscription = subscription_grant_comp(
        user=reader,
        plan=plans[("en-us", "premium")],
        ends_at=timezone.now() + timedelta(days=9),
        granted_by=staff,
        now=timezone.now(),
    )
    client.post(
        f"/admin/readers/{subscription.pk}/end/".replace("readers/", "readers/subscription/")
    )
    subscription.refresh_from_db()
    assert subscription.status == Status.ENDED
    assert entitlement_for(reader) is None

    client.post(f"/admin/readers/{reader.pk}/devices/", {})
    assert not Device.objects.filter(user=reader).exists()
    assert reader_browser.get("/en-us/accounts/").status_code == 302
    assert AuditEntry.objects.filter(action="device.signed_out", actor_kind="staff").exists()


def test_reporters_cannot_see_readers(plans):
    newsroom_services.roles_setup(editions=[])
    reporter = get_user_model().objects.create_user("reporter", "rep@example.com", PASSWORD)
    reporter.groups.add(Group.objects.get(name=newsroom_services.REPORTERS))
    client = browser()
    client.force_login(reporter)
    assert client.get("/admin/").status_code == 200
    assert b"/admin/readers/" not in client.get("/admin/").content
    assert client.get("/admin/readers/").status_code in (302, 403)
    reader = reader_create()
    assert client.get(f"/admin/readers/{reader.pk}/").status_code in (302, 403)


def test_plans_are_editable_snippets(plans):
    client, _staff = _staff_client()
    listing = client.get("/admin/snippets/subscriptions/plan/")
    assert listing.status_code == 200
    assert b"Business" in listing.content


def test_the_expiry_sweep_ends_what_ran_out(plans):
    reader, staff = reader_create(), reader_create(is_staff=True)
    now = timezone.now()
    comp = subscription_grant_comp(
        user=reader,
        plan=plans[("en-us", "digital")],
        ends_at=now + timedelta(days=1),
        granted_by=staff,
        now=now,
    )
    running = subscription_create(holder=reader_create(), plan=plans[("en-us", "digital")])
    assert subscriptions_expire(now=now) == 0
    assert subscriptions_expire(now=now + timedelta(days=2)) == 1
    comp.refresh_from_db()
    running.refresh_from_db()
    assert (comp.status, running.status) == (Status.ENDED, Status.ACTIVE)
    call_command("subscriptions_expire")


def test_deleting_an_account_that_pays_for_a_renewing_subscription_is_refused(plans):
    from broadsheet.accounts.tests.helpers import reauthenticate

    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    invite_and_accept(subscription, inviter=holder, user=partner)
    client = browser()
    sign_in(client, email_address=holder.email)
    reauthenticate(client)
    response = client.post("/en-us/accounts/delete/", {"confirm": "yes"})
    assert response.status_code == 409
    assert b"Cancel it first" in response.content

    # Once canceled (it runs to the end of the period), the holder may go; the partner keeps
    # reading until the end of what was paid.
    subscription.status, subscription.cancel_at_period_end = Status.CANCELED, True
    subscription.save()
    assert client.post("/en-us/accounts/delete/", {"confirm": "yes"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.holder is None
    assert entitlement_for(partner) is not None


def test_a_member_deleting_their_account_frees_the_seat(plans):
    from broadsheet.accounts.tests.helpers import reauthenticate

    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    invite_and_accept(subscription, inviter=holder, user=partner)
    client = browser()
    sign_in(client, email_address=partner.email)
    reauthenticate(client)
    assert client.post("/en-us/accounts/delete/", {"confirm": "yes"}).status_code == 302
    assert subscription.seats.count() == 1
