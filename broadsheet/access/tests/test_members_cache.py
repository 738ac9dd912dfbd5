"""Signed-in readers share one cached copy of each page; nothing personal is in it."""

from __future__ import annotations

import pytest

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.newsroom.tests import factories

from .conftest import device_client, subscriber_create

pytestmark = pytest.mark.django_db

SECRET = "Members read this paragraph."
WARNING = "Your subscription seems to be shared"


@pytest.fixture
def gated(en_world):
    return factories.article_publish(
        section=en_world,
        title="Members' story",
        access_level="subscribers",
        body=[("paragraph", f"<p>{SECRET}</p>")],
    )


def test_members_share_the_page_but_each_gets_their_own_parts(store, gated, settings):
    first = device_client(subscriber_create(email="first@example.org"))
    stranger = device_client(reader_create(email_address="stranger@example.org"))

    miss = first.get(gated.url)
    hit = stranger.get(gated.url)

    assert miss["X-Page-Cache"] == "member-miss" and hit["X-Page-Cache"] == "member-hit"
    assert SECRET in miss.content.decode()
    html = hit.content.decode()
    # The stranger has no subscription: the paywall, and nobody else's address or body.
    assert SECRET not in html and hit["X-Access"] == "paywall"
    assert "first@example.org" not in html
    assert "My account" in html
    for response in (miss, hit):
        assert "private" in response["Cache-Control"]
        assert "esi:include" not in response.content.decode()


def test_the_sharing_warning_reaches_a_flagged_member_through_the_shared_copy(store, gated):
    other = device_client(subscriber_create())
    other.get(gated.url)  # the members' copy is cached now
    user = subscriber_create()
    phone, laptop = device_client(user, "chrome-android"), device_client(user, "firefox-linux")
    phone.get(gated.url)
    for reader in (laptop, phone, laptop):
        reader.post("/_access/read-here/", {"article": gated.pk})

    response = phone.get(gated.url)
    assert response["X-Page-Cache"] == "member-hit"
    assert WARNING in response.content.decode()
    assert WARNING not in other.get(gated.url).content.decode()


def test_the_newsletter_box_keeps_no_members_address(store, en_world):
    article = factories.article_publish(section=en_world, title="Free story")
    reader = device_client(reader_create(email_address="prefill@example.org"))
    html = reader.get(article.url).content.decode()
    assert "prefill@example.org" not in html


def test_staff_are_never_served_the_members_copy(store, gated, client):
    member = device_client(subscriber_create())
    member.get(gated.url)
    staff = reader_create(email_address="staff@example.org")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.get(gated.url)
    assert "X-Page-Cache" not in response
