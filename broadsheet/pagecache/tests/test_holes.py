import pytest

from broadsheet.pagecache.tests import urls as test_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls("broadsheet.pagecache.tests.urls")]


def test_holes_are_filled_from_a_cache_of_their_own_in_their_language(client):
    test_urls.calls["shared"] = 0

    first = client.get("/_test/page/").content.decode()
    second = client.get("/_test/page/").content.decode()

    assert first == "<p>page</p><b>hole 7 filled 1 in es-es</b>"
    assert second == first
    assert test_urls.calls["shared"] == 1


def test_a_front_proxy_that_speaks_esi_gets_the_hole_and_can_fetch_it(client):
    response = client.get("/_test/page/", HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')

    tag = b'<esi:include src="/_holes/shared/test-counting/?lang=es-es&n=7"/>'
    assert tag in response.content
    assert response["Surrogate-Control"] == 'content="ESI/1.0"'

    hole = client.get("/_holes/shared/test-counting/", {"lang": "es-es", "n": "7"})
    assert hole.status_code == 200
    assert hole.content.decode().endswith("in es-es</b>")
    assert "s-maxage=60" in hole["Cache-Control"] and hole["X-Edition"] == "es-es"


def test_a_private_hole_makes_the_page_the_readers_own(client):
    response = client.get("/_test/private/")
    assert response.content == b"<p>page</p><i>yours</i>"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Test-Hole"] == "private"

    esi = client.get("/_test/private/", HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')
    assert esi["X-Private-Holes"] == "1"
    fetched = client.get("/_holes/private/test-private/", {"lang": "en-us"})
    assert fetched.content == b"<i>yours</i>" and "private" in fetched["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/_holes/shared/nowhere/?lang=en-us",
        "/_holes/private/test-counting/?lang=en-us",  # a shared hole asked for as private
        "/_holes/shared/test-private/?lang=en-us",
    ],
)
def test_unknown_holes_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_a_hole_in_an_unknown_language_is_a_400(client):
    response = client.get("/_holes/shared/test-counting/", {"lang": "xx-yy", "n": "1"})
    assert response.status_code == 400
    assert b"edition" in response.content


def test_holes_are_read_with_get(client):
    assert client.post("/_holes/shared/test-counting/?lang=en-us").status_code == 405


def test_content_length_counts_the_filled_page(client):
    response = client.get("/_test/page/")
    assert int(response["Content-Length"]) == len(response.content)


def test_a_nul_in_a_holes_query_or_cookie_is_a_400(client):
    assert client.get("/_holes/shared/test-counting/?lang=en-us&n=%00").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/_holes/private/test-private/?lang=en-us").status_code == 400
