"""A person whose seat is removed or reassigned (by a manager, by staff, or because Stripe says
the subscription shrank) is told by email, in the edition's language, whom to contact. The
emails go through a real SMTP server (fixture `mailbox`) and are parsed as they arrive."""

from __future__ import annotations

import time

from django.test import TestCase
from django.utils import timezone

from broadsheet.accounts.tests.helpers import Inbox, path_of, reader_create, sign_in
from broadsheet.subscriptions.models import Seat, Subscription
from broadsheet.subscriptions.selectors import entitlement_for
from broadsheet.subscriptions.services.errors import SeatError
from broadsheet.subscriptions.services.seats import seat_remove

from .helpers import invite_and_accept, post_event, subscription_create
from .test_staff import _staff_client
from .test_webhooks import _subscription_event


def _removal_emails(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if "has ended" in m["Subject"]]


def test_a_business_admin_removes_a_member_who_is_told_whom_to_contact(plans, client, mailbox):
    admin = reader_create(email_address="boss@example.com")
    member = reader_create(email_address="member@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=2)
    seat = invite_and_accept(subscription, inviter=admin, user=member)
    sign_in(client, email_address="boss@example.com")

    response = client.post(f"/en-us/subscription/{subscription.pk}/seats/{seat.pk}/remove/")

    assert response.status_code == 302
    assert entitlement_for(member) is None
    message = mailbox.last_to("member@example.com")
    assert message["Subject"] == "Your access to Broadsheet through a subscription has ended"
    text = Inbox.text(message)
    assert "Your seat in the Business subscription of Acme was removed" in text
    assert "contact boss@example.com, who manages this subscription" in text
    [plans_link] = Inbox.links(message)
    assert client.get(path_of(plans_link)).status_code == 200
    assert path_of(plans_link).startswith("/en-us/")


def test_the_email_speaks_the_editions_language_whoever_removes(plans, mailbox):
    holder = reader_create(email_address="titular@example.com")
    partner = reader_create(email_address="pareja@example.com")
    subscription = subscription_create(holder=holder, plan=plans[("es-es", "premium")])
    seat = invite_and_accept(subscription, inviter=holder, user=partner)

    # The holder's browser may be in English; the subscription belongs to the Spanish edition.
    with TestCase.captureOnCommitCallbacks(execute=True):
        seat_remove(seat_id=seat.pk, actor=holder, now=timezone.now())

    message = mailbox.last_to("pareja@example.com")
    [plans_link] = Inbox.links(message)
    assert path_of(plans_link).startswith("/es-es/")
    assert "titular@example.com" in Inbox.text(message)


def test_reassigning_tells_the_person_who_lost_the_seat(plans, client, mailbox):
    admin = reader_create(email_address="admin@example.com")
    first = reader_create(email_address="first@example.com")
    second = reader_create(email_address="second@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=1)
    seat = invite_and_accept(subscription, inviter=admin, user=first)
    sign_in(client, email_address="admin@example.com")

    response = client.post(
        f"/en-us/subscription/{subscription.pk}/seats/{seat.pk}/reassign/",
        {"email": "second@example.com"},
    )

    assert response.status_code == 302
    assert len(_removal_emails(mailbox, "first@example.com")) == 1
    assert "admin@example.com" in Inbox.text(mailbox.last_to("first@example.com"))
    # The new person gets their invitation, not a removal.
    assert not _removal_emails(mailbox, "second@example.com")
    assert any("/subscription/invitation/" in u for u in Inbox.links(mailbox.last_to(second.email)))


def test_leaving_by_yourself_sends_nothing(plans, client, mailbox):
    holder = reader_create()
    partner = reader_create(email_address="leaver@example.com")
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    seat = invite_and_accept(subscription, inviter=holder, user=partner)
    sign_in(client, email_address="leaver@example.com")

    response = client.post(f"/en-us/subscription/{subscription.pk}/seats/{seat.pk}/remove/")

    assert response.status_code == 302
    assert not Seat.objects.filter(pk=seat.pk).exists()
    assert mailbox.to("leaver@example.com") == []


def test_a_refused_removal_sends_nothing(plans, mailbox):
    holder, partner = reader_create(), reader_create(email_address="stays@example.com")
    outsider = reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    seat = invite_and_accept(subscription, inviter=holder, user=partner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        try:
            seat_remove(seat_id=seat.pk, actor=outsider, now=timezone.now())
        except SeatError:
            pass
    assert mailbox.to("stays@example.com") == []


def test_staff_removing_a_seat_points_the_person_to_the_organisation_admin(plans, mailbox):
    admin = reader_create(email_address="orgadmin@example.com")
    member = reader_create(email_address="removed-by-staff@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=2)
    seat = invite_and_accept(subscription, inviter=admin, user=member)
    client, staff = _staff_client()

    response = client.post(f"/admin/readers/seat/{seat.pk}/remove/", {"reader": admin.pk})

    assert response.status_code == 302
    text = Inbox.text(mailbox.last_to("removed-by-staff@example.com"))
    assert "contact orgadmin@example.com" in text
    assert staff.email not in text


def test_seats_removed_because_stripe_says_fewer_are_told(client, plans, webhook_secret, mailbox):
    admin = reader_create(email_address="buyer@example.com")
    people = [reader_create(email_address=f"person{n}@example.com") for n in range(3)]
    now = int(time.time())
    post_event(
        client,
        _subscription_event(
            plans, admin, kind="business", quantity=3, created=now - 10, organisation="Acme"
        ),
    )
    subscription = Subscription.objects.get()
    for person in people:
        invite_and_accept(subscription, inviter=admin, user=person)

    post_event(
        client,
        _subscription_event(
            plans,
            admin,
            kind="business",
            quantity=2,
            type_="customer.subscription.updated",
            created=now,
        ),
    )

    assert len(_removal_emails(mailbox, "person2@example.com")) == 1
    assert "contact buyer@example.com" in Inbox.text(mailbox.last_to("person2@example.com"))
    assert not _removal_emails(mailbox, "person0@example.com")
