"""Premium and Business people: invitations by email (expiring, single use, for the right
account), seats never beyond the limit, removal and reassignment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry
from broadsheet.accounts.tests.helpers import (
    CHROME_ANDROID,
    Inbox,
    browser,
    path_of,
    reader_create,
    sign_in,
)
from broadsheet.subscriptions.models import Invitation, Seat
from broadsheet.subscriptions.rules import Refusal
from broadsheet.subscriptions.selectors import entitlement_for
from broadsheet.subscriptions.services.errors import InvitationError, SeatError
from broadsheet.subscriptions.services.invitations import (
    invitation_accept,
    invitation_revoke,
    invitation_send,
    seat_reassign,
)
from broadsheet.subscriptions.services.seats import seat_remove, seat_take

from .helpers import invite_and_accept, subscription_create


def _send(subscription, inviter, email, now=None):
    return invitation_send(
        subscription_id=subscription.pk,
        inviter=inviter,
        email=email,
        language="en-us",
        now=now or timezone.now(),
    )


def test_premium_holder_invites_a_second_person_by_email(plans, client, mailbox):
    holder = reader_create(email_address="holder@example.com")
    partner = reader_create(email_address="partner@example.com")
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    sign_in(client, email_address="holder@example.com")

    response = client.post(
        f"/en-us/subscription/{subscription.pk}/invite/", {"email": "partner@example.com"}
    )
    assert response.status_code == 302
    message = mailbox.last_to("partner@example.com")
    [link] = [u for u in Inbox.links(message) if "/subscription/invitation/" in u]

    guest = browser(CHROME_ANDROID)
    page = guest.get(path_of(link))
    assert page.status_code == 200
    assert b"Sign in to accept" in page.content
    sign_in(guest, email_address="partner@example.com")
    assert guest.get(path_of(link)).status_code == 200  # GET changes nothing
    assert not Seat.objects.filter(user=partner).exists()

    accepted = guest.post(path_of(link))
    assert accepted.status_code == 302
    assert Seat.objects.get(user=partner).subscription == subscription
    assert entitlement_for(partner).subscription_id == subscription.pk
    # The link works once.
    again = guest.post(path_of(link))
    assert again.status_code == 409


def test_the_invitation_email_speaks_the_inviters_edition_language(plans, mailbox):
    holder = reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("es-es", "premium")])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation_send(
            subscription_id=subscription.pk,
            inviter=holder,
            email="amiga@example.com",
            language="es-es",
            now=timezone.now(),
        )
    [link] = [u for u in Inbox.links(mailbox.last_to("amiga@example.com")) if "invitation" in u]
    assert "/es-es/subscription/invitation/" in link


def test_a_digital_plan_has_no_one_to_invite(plans):
    holder = reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "digital")])
    with pytest.raises(SeatError) as refused:
        _send(subscription, holder, "friend@example.com")
    assert refused.value.code == Refusal.NO_EXTRA_PEOPLE


def test_premium_has_room_for_one_more_only(plans):
    holder = reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    _send(subscription, holder, "one@example.com")
    with pytest.raises(SeatError) as refused:
        _send(subscription, holder, "two@example.com")
    assert refused.value.code == Refusal.FULL


def test_business_admin_fills_three_seats_and_the_fourth_waits_for_a_seat(plans):
    admin = reader_create()
    people = [reader_create() for _ in range(4)]
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    for person in people[:3]:
        invite_and_accept(subscription, inviter=admin, user=person)
    with pytest.raises(SeatError) as refused:
        _send(subscription, admin, people[3].email)
    assert refused.value.code == Refusal.FULL

    # A seat freed: the fourth can come in.
    seat = Seat.objects.get(subscription=subscription, user=people[0])
    seat_remove(seat_id=seat.pk, actor=admin, now=timezone.now())
    invite_and_accept(subscription, inviter=admin, user=people[3])
    assert subscription.seats.count() == 3

    # A seat bought (the quantity comes from Stripe's webhook): one more.
    subscription.quantity = 4
    subscription.save()
    invite_and_accept(subscription, inviter=admin, user=people[0])
    assert subscription.seats.count() == 4


def test_expired_invitations_are_refused_and_free_their_place(plans):
    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    sent_at = timezone.now()
    sent = _send(subscription, holder, partner.email, now=sent_at)
    later = sent_at + timedelta(days=15)
    with pytest.raises(InvitationError) as refused:
        invitation_accept(token=sent.token, user=partner, now=later)
    assert refused.value.code == InvitationError.EXPIRED
    # Inviting again renews the same invitation with a new link; the old link is dead.
    renewed = _send(subscription, holder, partner.email, now=later)
    assert renewed.invitation.pk == sent.invitation.pk
    with pytest.raises(InvitationError):
        invitation_accept(token=sent.token, user=partner, now=later)
    invitation_accept(token=renewed.token, user=partner, now=later)


def test_an_invitation_is_for_the_account_with_its_email(plans):
    holder, partner, stranger = reader_create(), reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    sent = _send(subscription, holder, partner.email.upper())
    with pytest.raises(InvitationError) as refused:
        invitation_accept(token=sent.token, user=stranger, now=timezone.now())
    assert refused.value.code == InvitationError.WRONG_ACCOUNT
    invitation_accept(token=sent.token, user=partner, now=timezone.now())


def test_withdrawn_and_unknown_invitations(plans):
    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    sent = _send(subscription, holder, partner.email)
    invitation_revoke(invitation_id=sent.invitation.pk, actor=holder, now=timezone.now())
    with pytest.raises(InvitationError) as refused:
        invitation_accept(token=sent.token, user=partner, now=timezone.now())
    assert refused.value.code == InvitationError.WITHDRAWN
    with pytest.raises(InvitationError) as unknown:
        invitation_accept(token="made-up", user=partner, now=timezone.now())
    assert unknown.value.code == InvitationError.INVALID


def test_only_managers_invite_remove_and_reassign(plans):
    holder, partner, outsider = reader_create(), reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    seat = invite_and_accept(subscription, inviter=holder, user=partner)
    with pytest.raises(SeatError):
        _send(subscription, partner, outsider.email)
    with pytest.raises(SeatError):
        seat_remove(seat_id=seat.pk, actor=outsider, now=timezone.now())
    holder_seat = subscription.seats.get(user=holder)
    with pytest.raises(SeatError):
        seat_remove(seat_id=holder_seat.pk, actor=holder, now=timezone.now())
    # A member may leave by themselves.
    seat_remove(seat_id=seat.pk, actor=partner, now=timezone.now())
    assert not Seat.objects.filter(pk=seat.pk).exists()


def test_reassign_frees_the_seat_and_invites_someone_else(
    plans, django_capture_on_commit_callbacks
):
    admin, first, second = reader_create(), reader_create(), reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=1)
    seat = invite_and_accept(subscription, inviter=admin, user=first)
    assert entitlement_for(first) is not None
    with django_capture_on_commit_callbacks(execute=True):
        sent = seat_reassign(
            seat_id=seat.pk, actor=admin, email=second.email, language="en-us", now=timezone.now()
        )
    assert entitlement_for(first) is None
    invitation_accept(token=sent.token, user=second, now=timezone.now())
    assert list(subscription.seats.values_list("user", flat=True)) == [second.pk]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"invitation.sent", "seat.taken", "seat.removed"} <= actions


def test_accepting_when_seats_were_taken_away_meanwhile(plans):
    admin, late = reader_create(), reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=2)
    sent = _send(subscription, admin, late.email)
    invite_and_accept(subscription, inviter=admin, user=reader_create())
    subscription.quantity = 1  # the admin bought fewer seats at renewal
    subscription.save()
    with pytest.raises(SeatError) as refused:
        invitation_accept(token=sent.token, user=late, now=timezone.now())
    assert refused.value.code == Refusal.FULL
    assert Invitation.objects.get(pk=sent.invitation.pk).accepted_at is None


def test_the_subscription_page_lists_people_for_the_holder(plans, client):
    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    invite_and_accept(subscription, inviter=holder, user=partner)
    sign_in(client, email_address=holder.email)
    page = client.get("/en-us/subscription/").content.decode()
    assert partner.email in page
    assert "2 of 2 seats taken" in page

    member = browser()
    sign_in(member, email_address=partner.email)
    member_page = member.get("/en-us/subscription/").content.decode()
    assert "Leave this subscription" in member_page
    assert f"/en-us/subscription/{subscription.pk}/invite/" not in member_page
    assert (
        member.post(
            f"/en-us/subscription/{subscription.pk}/invite/", {"email": "x@example.com"}
        ).status_code
        == 404
    )


def test_a_business_admin_takes_a_seat_without_an_invitation(plans, client):
    admin, member = reader_create(), reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=2)
    assert entitlement_for(admin) is None  # the buyer of seats is not in one by default
    sign_in(client, email_address=admin.email)
    assert "Use a seat myself" in client.get("/en-us/subscription/").content.decode()
    client.post(f"/en-us/subscription/{subscription.pk}/seats/take/")
    assert entitlement_for(admin).subscription_id == subscription.pk
    assert "Use a seat myself" not in client.get("/en-us/subscription/").content.decode()

    # The last seat is promised to an open invitation: the member who is not admin cannot
    # take it, and neither can the admin take a second one.
    _send(subscription, admin, member.email)
    with pytest.raises(SeatError):
        seat_take(subscription_id=subscription.pk, user=member, now=timezone.now())
    with pytest.raises(SeatError):
        seat_take(subscription_id=subscription.pk, user=admin, now=timezone.now())
