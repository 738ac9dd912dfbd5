"""Who is signed in, as a hole asks it: from the cached session and the user's cached facts,
with Django's checks (password changes, deactivation, sessions ended elsewhere) still holding."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from broadsheet.accounts.sessions import (
    DEVICE_ID,
    prefetched,
    session_delete,
    signed_in_reader,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase 42"


@pytest.fixture(autouse=True)
def _cached_sessions(settings):
    # Production's engine (sessions in the cache, backed by the database) on both test setups.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def browser(django_user_model):
    user = django_user_model.objects.create_user("reader", "reader@example.org", PASSWORD)
    client = Client()
    client.force_login(user)
    return user, client


def hole_request(rf, client):
    """A request as HoleMiddleware sees it: cookies only, no session or user attached."""
    request = rf.get("/_holes/private/article-body/")
    request.COOKIES.update({name: morsel.value for name, morsel in client.cookies.items()})
    return request


def test_a_hole_knows_the_reader_without_a_query_once_their_facts_are_cached(
    rf, browser, django_assert_num_queries
):
    user, client = browser
    first = signed_in_reader(hole_request(rf, client))
    assert first is not None and first.user_id == user.pk
    assert first.device_id == client.session[DEVICE_ID]

    with django_assert_num_queries(0):
        again = signed_in_reader(hole_request(rf, client))
    assert again == first


def test_keys_asked_for_come_in_the_same_reads(rf, browser):
    _user, client = browser
    cache.set("the-article", "facts")
    request = hole_request(rf, client)
    signed_in_reader(request, also=["the-article"], also_for_user=lambda uid: [f"u:{uid}"])
    assert prefetched(request, "the-article") == "facts"
    assert prefetched(request, f"u:{_user.pk}") is None  # asked for, absent from the cache
    assert prefetched(request, "never-asked", "default") == "default"


def test_a_password_changed_elsewhere_signs_the_session_out(rf, browser):
    user, client = browser
    assert signed_in_reader(hole_request(rf, client)) is not None
    user.set_password("another long passphrase")
    user.save()
    assert signed_in_reader(hole_request(rf, client)) is None


def test_a_deactivated_reader_is_not_signed_in(rf, browser):
    user, client = browser
    assert signed_in_reader(hole_request(rf, client)) is not None
    user.is_active = False
    user.save()
    assert signed_in_reader(hole_request(rf, client)) is None


def test_a_session_ended_elsewhere_is_not_signed_in(rf, browser):
    _user, client = browser
    assert signed_in_reader(hole_request(rf, client)) is not None
    session_delete(session_key=client.cookies["sessionid"].value)
    assert signed_in_reader(hole_request(rf, client)) is None


def test_a_made_up_session_or_none_at_all_is_nobody(rf):
    request = rf.get("/")
    request.COOKIES["sessionid"] = "made-up-session-key-0123456789"
    assert signed_in_reader(request) is None
    without = rf.get("/")
    assert signed_in_reader(without) is None
    assert not hasattr(without, "session")  # a request without the cookie never loads one
