"""In a real browser: a Premium holder invites a second person, who accepts with their own
account; a Business admin fills three seats and the fourth invitation is refused."""

from __future__ import annotations

import pytest

from broadsheet.accounts.tests.helpers import PASSWORD, Inbox, reader_create
from broadsheet.subscriptions.models import Seat

from ..helpers import plans_with_stripe_prices, subscription_create

pytestmark = pytest.mark.browser


def _sign_in(page, email_address: str, path: str = "/en-us/accounts/login/") -> None:
    page.goto(path)
    page.fill("#id_login", email_address)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def _invite(page, subscription, email_address: str) -> None:
    page.fill(f"#invite-{subscription.pk}", email_address)
    page.get_by_role("button", name="Invite", exact=True).click()


def test_premium_holder_invites_a_second_person(new_context, mailbox, live_server):
    from playwright.sync_api import expect

    plans = plans_with_stripe_prices()
    holder = reader_create(email_address="holder@example.com")
    reader_create(email_address="partner@example.com")
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])

    page = new_context().new_page()
    _sign_in(page, "holder@example.com")
    page.goto("/en-us/subscription/")
    _invite(page, subscription, "partner@example.com")
    expect(page.get_by_text("Invitation sent to partner@example.com.")).to_be_visible()

    [link] = [u for u in Inbox.links(mailbox.last_to("partner@example.com")) if "invitation" in u]
    guest = new_context().new_page()
    guest.goto(link.replace("http://testserver", live_server.url))
    guest.get_by_role("link", name="Sign in to accept").click()
    guest.fill("#id_login", "partner@example.com")
    guest.fill("#id_password", PASSWORD)
    guest.get_by_role("button", name="Sign In").click()
    guest.get_by_role("button", name="Accept the invitation").click()
    expect(guest.get_by_text("You can read everything.")).to_be_visible()
    assert Seat.objects.filter(subscription=subscription).count() == 2


def test_business_admin_fills_three_seats_and_the_fourth_is_refused(
    new_context, mailbox, live_server
):
    from playwright.sync_api import expect

    plans = plans_with_stripe_prices()
    admin = reader_create(email_address="admin@example.com")
    people = [reader_create(email_address=f"staffer{n}@example.com") for n in range(4)]
    subscription = subscription_create(holder=admin, plan=plans[("en-us", "business")], quantity=3)

    page = new_context().new_page()
    _sign_in(page, "admin@example.com")
    page.goto("/en-us/subscription/")
    for person in people[:3]:
        _invite(page, subscription, person.email)
        expect(page.get_by_text(f"Invitation sent to {person.email}.")).to_be_visible()
    _invite(page, subscription, people[3].email)
    expect(page.get_by_text("Every seat is taken or promised")).to_be_visible()

    for person in people[:3]:
        [link] = [u for u in Inbox.links(mailbox.last_to(person.email)) if "invitation" in u]
        member = new_context().new_page()
        invitation_path = link.split("testserver", 1)[1]
        _sign_in(member, person.email, path=f"/en-us/accounts/login/?next={invitation_path}")
        member.get_by_role("button", name="Accept the invitation").click()
        expect(member.get_by_text("You can read everything.")).to_be_visible()

    page.goto("/en-us/subscription/")
    expect(page.get_by_text("3 of 3 seats taken, 0 invited.")).to_be_visible()
    _invite(page, subscription, people[3].email)
    expect(page.get_by_text("Every seat is taken or promised")).to_be_visible()

    # Freeing a seat lets the fourth in.
    page.locator("[data-seat] form[action$='/remove/']").first.get_by_role("button").click()
    expect(page.get_by_text("The seat is free.")).to_be_visible()
    _invite(page, subscription, people[3].email)
    expect(page.get_by_text(f"Invitation sent to {people[3].email}.")).to_be_visible()
