"""The members' copy reads nothing of any one reader: structurally, not by care at each call."""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from broadsheet.access.tests.conftest import device_client, subscriber_create
from broadsheet.newsroom.tests import factories
from broadsheet.pagecache.members import (
    PersonalStateInSharedPageError,
    SharedPageReader,
    mark_shareable_for_members,
)
from broadsheet.pagecache.middleware import MemberPageCacheMiddleware

pytestmark = pytest.mark.django_db


def test_every_shareable_page_type_renders_as_the_members_copy(en_edition, en_world):
    author = factories.author_create(name="Ana Reporter")
    pages = [
        factories.article_publish(section=en_world, title=f"A {level} story", access_level=level)
        for level in ("free", "metered", "subscribers")
    ]
    factories.article_publish(section=en_world, tags=["harbour"], authors=[author])
    reader = device_client(subscriber_create(email="only-mine@example.org"))
    paths = [
        en_edition.url,
        en_world.url,
        *(page.url for page in pages),
        "/en-us/tag/harbour/",
        f"/en-us/author/{author.slug}/",
    ]
    for path in paths:
        # A tag or view reading the reader in a shared page raises here (SharedPageReader).
        response = reader.get(path)
        assert response.status_code == 200, path
        assert response["X-Page-Cache"] == "member-miss", path
        assert "only-mine@example.org" not in response.content.decode(), path


def _members_request(rf, django_user_model, path="/en-us/world/a/"):
    request = rf.get(path)
    request.COOKIES["sessionid"] = "a-session"
    request.user = django_user_model.objects.create_user("reader", "me@example.org", "x" * 20)
    return request


def test_a_shareable_page_that_reads_the_reader_fails(rf, django_user_model):
    def view(request):
        mark_shareable_for_members(request)
        return HttpResponse(f"<p>Hello {request.user.email}</p>")

    request = _members_request(rf, django_user_model)
    with pytest.raises(PersonalStateInSharedPageError):
        MemberPageCacheMiddleware(view)(request)
    # The layers outside the members' copy get the reader back.
    assert request.user.email == "me@example.org"


def test_a_shared_page_knows_only_that_someone_is_signed_in(rf, django_user_model):
    seen = {}

    def view(request):
        mark_shareable_for_members(request)
        seen["user"] = request.user
        return HttpResponse("<p>My account</p>")

    response = MemberPageCacheMiddleware(view)(_members_request(rf, django_user_model))
    assert response["X-Page-Cache"] == "member-miss"
    assert isinstance(seen["user"], SharedPageReader) and seen["user"].is_authenticated
    with pytest.raises(PersonalStateInSharedPageError):
        seen["user"].pk  # noqa: B018


def test_a_page_about_one_reader_reads_them_and_is_never_kept(rf, django_user_model):
    def view(request):
        return HttpResponse(f"<p>{request.user.email}</p>")

    middleware = MemberPageCacheMiddleware(view)
    first = middleware(_members_request(rf, django_user_model))
    assert b"me@example.org" in first.content and "X-Page-Cache" not in first


def test_staff_browsers_are_marked_for_the_front_proxy_and_unmarked_after(
    client, en_world, django_user_model
):
    article = factories.article_publish(section=en_world)
    staff = django_user_model.objects.create_user("desk", "desk@example.org", "x" * 20)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(article.url).cookies["bs_staff"].value == "1"
    staff.is_staff = False
    staff.save()
    assert client.get(article.url).cookies["bs_staff"].value == ""  # deleted
