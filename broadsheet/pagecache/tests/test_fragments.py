import pytest

from broadsheet.pagecache.tests import urls as test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("broadsheet.pagecache.tests.urls")]


def test_holes_are_filled_from_a_fragment_cached_on_its_own(client):
    test_urls.calls["fragment"] = 0

    first = client.get("/_test/page/").content.decode()
    second = client.get("/_test/page/").content.decode()

    assert first == "<p>page</p><b>fragment 1 in es-es</b>"
    assert second == first
    assert test_urls.calls["fragment"] == 1


def test_a_front_proxy_that_speaks_esi_gets_the_hole(client):
    response = client.get("/_test/page/", HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')

    assert b'<esi:include src="/es-es/_test/fragment/"/>' in response.content
    assert response["Surrogate-Control"] == 'content="ESI/1.0"'


def test_a_fragment_that_does_not_resolve_leaves_an_empty_hole(client, settings):
    from broadsheet.pagecache.fragments import fill_fragments

    class Request:
        def get_host(self):
            return "testserver"

        def is_secure(self):
            return False

        META: dict = {}

    html, private = fill_fragments(Request(), b'a<esi:include src="/nowhere/"/>b')
    assert html == b"ab"
    assert private == []


def test_content_length_counts_the_filled_page(client):
    response = client.get("/_test/page/")
    assert int(response["Content-Length"]) == len(response.content)
