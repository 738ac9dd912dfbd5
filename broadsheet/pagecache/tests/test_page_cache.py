import http.server
import threading

import pytest

from broadsheet.newsroom.tests import factories
from broadsheet.pagecache.tasks import purge_front_proxies

pytestmark = pytest.mark.django_db


def test_anonymous_reader_is_served_from_cache_after_first_view(client, en_world):
    article = factories.article_publish(section=en_world, title="Cached story")

    first = client.get(article.url)
    second = client.get(article.url)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "s-maxage" in second["Cache-Control"] and "public" in second["Cache-Control"]
    assert second["X-Edition"] == "en-us"


def test_signed_in_reader_is_never_served_the_anonymous_page(client, en_world, django_user_model):
    article = factories.article_publish(section=en_world)
    assert client.get(article.url)["X-Page-Cache"] == "miss"
    user = django_user_model.objects.create_user("reader", password="long-enough-pass-1")
    client.force_login(user)

    response = client.get(article.url)

    assert response["X-Page-Cache"] == "member-miss"  # the members' copy, not the anonymous one
    assert b"My account" in response.content and b"Sign in" not in response.content
    assert "private" in response["Cache-Control"] or "public" not in response["Cache-Control"]


def test_staff_are_never_served_a_shared_page(client, en_world, django_user_model):
    article = factories.article_publish(section=en_world)
    client.get(article.url)
    staff = django_user_model.objects.create_user("staffer", password="long-enough-pass-1")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    assert "X-Page-Cache" not in client.get(article.url)


def test_a_page_that_used_a_csrf_token_is_not_kept_for_members(django_user_model, rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from broadsheet.pagecache.members import mark_shareable_for_members
    from broadsheet.pagecache.middleware import MemberPageCacheMiddleware

    user = django_user_model.objects.create_user("reader", password="long-enough-pass-1")

    def view(request, *, with_token: bool):
        mark_shareable_for_members(request)
        return HttpResponse(f"<form>{get_token(request) if with_token else ''}</form>")

    def ask(middleware, path):
        request = rf.get(path)
        request.COOKIES["sessionid"] = "x"
        request.user = user
        return middleware(request).get("X-Page-Cache")

    with_token = MemberPageCacheMiddleware(lambda request: view(request, with_token=True))
    # A kept copy would be a "member-hit" the second time.
    assert [ask(with_token, "/en-us/world/a/") for _ in range(2)] == [None, None]
    without = MemberPageCacheMiddleware(lambda request: view(request, with_token=False))
    assert [ask(without, "/en-us/world/b/") for _ in range(2)] == ["member-miss", "member-hit"]


def test_pages_about_one_reader_are_never_shared_between_members(editions):
    from broadsheet.access.tests.conftest import device_client
    from broadsheet.accounts.tests.helpers import reader_create

    alice = device_client(reader_create(email_address="alice@example.org"))
    bob = device_client(reader_create(email_address="bob@example.org"))
    for path in ("/en-us/accounts/", "/en-us/accounts/devices/", "/en-us/subscription/"):
        alice.get(path)
        response = bob.get(path)
        assert "alice@example.org" not in response.content.decode(), path
        assert "X-Page-Cache" not in response, path


def test_publishing_purges_the_edition_so_the_latest_rail_updates(
    client, en_world, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world, title="Older story")
    client.get(article.url)
    client.get("/en-us/")

    with django_capture_on_commit_callbacks(execute=True):
        factories.article_publish(section=en_world, title="Fresh story")

    article_page = client.get(article.url)
    home = client.get("/en-us/")
    assert article_page["X-Page-Cache"] == "miss" and "Fresh story" in article_page.content.decode()
    assert home["X-Page-Cache"] == "miss" and "Fresh story" in home.content.decode()


def test_unpublishing_removes_the_article_from_cached_pages(
    client, en_world, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world, title="Withdrawn story")
    assert "Withdrawn story" in client.get("/en-us/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()

    assert client.get(article.url).status_code == 404
    assert "Withdrawn story" not in client.get("/en-us/").content.decode()


def test_publishing_in_one_edition_keeps_the_other_cached(
    client, en_world, es_world, django_capture_on_commit_callbacks
):
    factories.article_publish(section=es_world, title="Historia")
    client.get("/es-es/")
    client.get("/en-us/")

    with django_capture_on_commit_callbacks(execute=True):
        factories.article_publish(section=en_world, title="English only")

    assert client.get("/es-es/")["X-Page-Cache"] == "hit"
    assert client.get("/en-us/")["X-Page-Cache"] == "miss"


def test_error_pages_and_responses_with_cookies_are_not_cached(client, en_world):
    client.get("/en-us/no-such-page/")
    assert "X-Page-Cache" not in client.get("/en-us/no-such-page/")


class _BanRecorder(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_BAN(self):
        self.received.append(self.headers["X-Ban-Scope"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_front_proxies_are_sent_a_ban_per_scope(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), _BanRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PAGE_CACHE_FRONT_PROXIES = [f"http://127.0.0.1:{server.server_port}"]
    _BanRecorder.received = []
    try:
        answered = purge_front_proxies.call(scopes=["en-us", "site"])
    finally:
        server.shutdown()

    assert answered == 2
    assert _BanRecorder.received == ["en-us", "site"]


def test_an_unreachable_front_proxy_does_not_break_publishing(settings, en_world):
    settings.PAGE_CACHE_FRONT_PROXIES = ["http://127.0.0.1:9"]
    article = factories.article_publish(section=en_world, title="Still published")
    assert article.live
