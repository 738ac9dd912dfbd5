"""More admins for a Business organisation: an admin invites one by email (the same answer for
every address, accepted only by the owner of the address), or staff add an existing reader."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry
from broadsheet.accounts.tests.helpers import (
    Inbox,
    browser,
    path_of,
    reader_create,
    sign_in,
)
from broadsheet.subscriptions.models import OrganisationAdmin
from broadsheet.subscriptions.selectors import user_manages
from broadsheet.subscriptions.services.errors import InvitationError, SeatError
from broadsheet.subscriptions.services.organisations import (
    organisation_admin_accept,
    organisation_admin_invite,
)

from .helpers import subscription_create
from .test_staff import _staff_client


def _is_admin(subscription, user) -> bool:
    return OrganisationAdmin.objects.filter(
        organisation_id=subscription.organisation_id, user=user
    ).exists()


def _invite(subscription, inviter, email, *, now=None, language="en-us") -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return organisation_admin_invite(
            subscription_id=subscription.pk,
            inviter=inviter,
            email=email,
            language=language,
            now=now or timezone.now(),
        )


def _messages(response) -> str:
    return " ".join(re.findall(r'<li class="message[^"]*">(.*?)</li>', response.content.decode()))


def _admin_link(mailbox, address: str) -> str:
    [link] = [u for u in Inbox.links(mailbox.last_to(address)) if "/admin-invitation/" in u]
    return path_of(link)


def test_an_admin_invites_a_colleague_who_accepts_with_their_own_account(plans, client, mailbox):
    admin = reader_create(email_address="boss@example.com")
    colleague = reader_create(email_address="colleague@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    sign_in(client, email_address="boss@example.com")

    page = client.get("/en-us/subscription/").content.decode()
    assert f"/en-us/subscription/{subscription.pk}/admins/invite/" in page
    response = client.post(
        f"/en-us/subscription/{subscription.pk}/admins/invite/",
        {"email": "Colleague@Example.com"},
        follow=True,
    )
    assert "They become an admin when they accept it" in response.content.decode()
    assert not _is_admin(subscription, colleague)  # nothing until they accept

    message = mailbox.last_to("colleague@example.com")
    assert "Acme" in message["Subject"]
    assert "boss@example.com invites you to become an admin of Acme" in Inbox.text(message)
    link = _admin_link(mailbox, "colleague@example.com")

    guest = browser()
    assert b"Sign in to accept" in guest.get(link).content
    sign_in(guest, email_address="colleague@example.com")
    assert guest.get(link).status_code == 200  # GET changes nothing
    assert not _is_admin(subscription, colleague)
    accepted = guest.post(link)
    assert accepted.status_code == 302
    assert _is_admin(subscription, colleague)
    assert user_manages(subscription=subscription, user=colleague)
    # The new admin manages the people from their own page.
    assert f"/{subscription.pk}/invite/" in guest.get("/en-us/subscription/").content.decode()
    # Using the link again changes nothing.
    assert guest.post(link).status_code == 302
    assert OrganisationAdmin.objects.filter(user=colleague).count() == 1

    invited = AuditEntry.objects.get(action="organisation.admin_invited")
    assert invited.actor == admin
    assert invited.data["email"] == "Colleague@example.com"
    added = AuditEntry.objects.get(action="organisation.admin_added")
    assert added.subject == colleague
    assert added.target == f"organisation:{subscription.organisation_id}"
    assert added.data == {"invited_by": admin.pk}


def test_known_and_unknown_addresses_get_the_same_answer(plans, client, mailbox):
    admin = reader_create(email_address="boss@example.com")
    reader_create(email_address="known@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    sign_in(client, email_address="boss@example.com")
    client.get("/en-us/subscription/")  # shows (and spends) the "signed in" message
    url = f"/en-us/subscription/{subscription.pk}/admins/invite/"

    known = client.post(url, {"email": "known@example.com"}, follow=True)
    unknown = client.post(url, {"email": "nobody@example.com"}, follow=True)

    assert known.status_code == unknown.status_code == 200
    assert _messages(known).replace("known@", "X@") == _messages(unknown).replace("nobody@", "X@")
    assert "Invitation sent to known@example.com." in _messages(known)
    # Both addresses get the link; the unknown one can create an account and accept it.
    link = _admin_link(mailbox, "nobody@example.com")
    newcomer = reader_create(email_address="nobody@example.com")
    guest = browser()
    sign_in(guest, email_address="nobody@example.com")
    guest.post(link)
    assert _is_admin(subscription, newcomer)


def test_the_link_is_for_the_invited_address_only(plans, mailbox):
    admin = reader_create()
    stranger = reader_create(email_address="stranger@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    _invite(subscription, admin, "invited@example.com")
    guest = browser()
    sign_in(guest, email_address="stranger@example.com")

    refused = guest.post(_admin_link(mailbox, "invited@example.com"))

    assert refused.status_code == 409
    assert b"sent to another email address" in refused.content
    assert not _is_admin(subscription, stranger)


def test_expired_forged_and_orphaned_links_are_refused(plans):
    admin, colleague = reader_create(), reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    sent_at = timezone.now()
    token = _invite(subscription, admin, colleague.email, now=sent_at)

    with pytest.raises(InvitationError) as expired:
        organisation_admin_accept(token=token, user=colleague, now=sent_at + timedelta(days=15))
    assert expired.value.code == InvitationError.EXPIRED
    with pytest.raises(InvitationError) as forged:
        organisation_admin_accept(token=token[:-2] + "xx", user=colleague, now=sent_at)
    assert forged.value.code == InvitationError.INVALID
    # A seat invitation's token is no admin invitation (another salt).
    with pytest.raises(InvitationError):
        organisation_admin_accept(token="made-up", user=colleague, now=sent_at)
    # The inviter is no longer an admin: their links die with their role.
    OrganisationAdmin.objects.filter(user=admin).delete()
    with pytest.raises(InvitationError) as orphaned:
        organisation_admin_accept(token=token, user=colleague, now=sent_at)
    assert orphaned.value.code == InvitationError.WITHDRAWN
    assert not _is_admin(subscription, colleague)


def test_the_invitation_page_explains_a_bad_link(plans, client):
    response = client.get("/en-us/subscription/admin-invitation/not-a-real-token/")
    assert response.status_code == 404
    assert b"This invitation link is not valid." in response.content


def test_bad_input_and_who_may_invite(plans, client, mailbox):
    admin = reader_create(email_address="boss@example.com")
    member = reader_create(email_address="member@example.com")
    business = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    premium = subscription_create(holder=admin, plan=plans[("en-us", "premium")])
    sign_in(client, email_address="boss@example.com")
    url = f"/en-us/subscription/{business.pk}/admins/invite/"

    for bad in ("", "not-an-address", "a@b@c", "x" * 250 + "@example.com"):
        page = client.post(url, {"email": bad}, follow=True).content.decode()
        assert "Give the email address of the person to make an admin." in page
    already = client.post(url, {"email": "BOSS@example.com"}, follow=True).content.decode()
    assert "That person is already an admin." in already
    not_business = client.post(
        f"/en-us/subscription/{premium.pk}/admins/invite/", {"email": "x@example.com"}, follow=True
    ).content.decode()
    assert "Only Business subscriptions have an organisation with admins." in not_business
    assert mailbox.messages == []

    # Someone who is not an admin (here: a member with a seat) cannot invite admins.
    outsider = browser()
    sign_in(outsider, email_address="member@example.com")
    assert outsider.post(url, {"email": "friend@example.com"}).status_code == 404
    with pytest.raises(SeatError):
        _invite(business, member, "friend@example.com")
    assert not AuditEntry.objects.filter(action="organisation.admin_invited").exists()


def test_the_invitation_email_speaks_the_inviters_edition_language(plans, mailbox):
    admin = reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("es-es", "business")], quantity=2)
    _invite(subscription, admin, "colega@example.com", language="es-es")
    link = _admin_link(mailbox, "colega@example.com")
    assert link.startswith("/es-es/subscription/")
    # Django's own catalogue names the month of the expiry date in Spanish.
    assert " de " in Inbox.text(mailbox.last_to("colega@example.com"))


def test_staff_add_an_existing_reader_as_admin(plans):
    admin = reader_create(email_address="buyer@example.com")
    colleague = reader_create(email_address="second-admin@example.com")
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    client, staff = _staff_client()
    url = f"/admin/readers/organisation/{subscription.organisation_id}/admins/add/"

    page = client.get(f"/admin/readers/{admin.pk}/").content.decode()
    assert url in page
    added = client.post(
        url, {"email": "SECOND-ADMIN@example.com", "reader": admin.pk}, follow=True
    ).content.decode()
    assert "second-admin@example.com is now an admin of Acme." in added
    assert _is_admin(subscription, colleague)
    entry = AuditEntry.objects.get(action="organisation.admin_added")
    assert entry.actor == staff and entry.actor_kind == "staff" and entry.subject == colleague

    again = client.post(url, {"email": colleague.email, "reader": admin.pk}, follow=True)
    assert "That person is already an admin." in again.content.decode()
    unknown = client.post(url, {"email": "nobody@example.com", "reader": admin.pk}, follow=True)
    assert "No reader has the email address nobody@example.com." in unknown.content.decode()
    assert AuditEntry.objects.filter(action="organisation.admin_added").count() == 1


def test_readers_without_the_permission_cannot_add_admins(plans):
    admin = reader_create()
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)
    intruder = reader_create(email_address="intruder@example.com")
    client = browser()
    sign_in(client, email_address="intruder@example.com")
    response = client.post(
        f"/admin/readers/organisation/{subscription.organisation_id}/admins/add/",
        {"email": intruder.email},
    )
    assert response.status_code in (302, 403)
    assert not _is_admin(subscription, intruder)
