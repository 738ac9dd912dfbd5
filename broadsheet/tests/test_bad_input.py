"""Input no page of ours can mean: each a clear 4xx in the edition's language, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.converters import MAX_ID, parse_id


@pytest.mark.parametrize(
    "path",
    [
        "/en-us/tag/%00/",
        "/en-us/author/%00/",
        "/en-us/tag/%00/feed/rss/",
        "/en-us/tag/a%00b/feed/atom/",
        "/en-us/section/%00/feed/rss/",
        "/en-us/section/%00/feed/atom/",
        "/en-us/newsletters/%00/",
        "/en-us/search/?q=%00",
        "/en-us/?page=%00",
        "/en-us/%00/",
        "/_access/sharing-warning/%00/",
    ],
)
def test_a_nul_in_the_address_is_a_400_that_says_why(editions, path):
    for client in (Client(), _reader_client()):
        response = client.get(path)
        assert response.status_code == 400
        assert "a character that is not allowed" in response.content.decode()


def test_the_400_page_speaks_the_edition_language(editions):
    response = Client().get("/es-es/tag/%00/")
    assert response.status_code == 400
    assert 'lang="es-es"' in response.content.decode()
    assert "No hemos podido leer" in response.content.decode()


def test_a_nul_in_a_cookie_is_a_400(editions):
    # A quoted cookie value may carry octal escapes, which Django's cookie parser decodes.
    response = Client().get("/en-us/", HTTP_COOKIE='sessionid="abc\\000defghijk"')
    assert response.status_code == 400


def _reader_client() -> Client:
    client = Client()
    client.force_login(reader_create())
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/en-us/accounts/login/",
        "/en-us/accounts/signup/",
        "/en-us/newsletters/signup/",
        "/_access/read-here/",
        "/_access/heartbeat/",
    ],
)
def test_a_form_in_another_charset_than_utf8_is_a_400(editions, path):
    body = "login=a%40example.com&password=x"  # the test client encodes it in the charset
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.get("/en-us/accounts/login/")  # the CSRF cookie, so the check reads the form
    for client in (csrf_checked, Client()):
        response = client.post(
            path, data=body, content_type="application/x-www-form-urlencoded; charset=utf-16"
        )
        assert response.status_code == 400, response.content[:300]


def test_the_charset_400_page_is_translated(editions):
    response = Client().post(
        "/es-es/accounts/login/",
        data="x=1",
        content_type="application/x-www-form-urlencoded; charset=utf-16",
    )
    assert response.status_code == 400
    assert "No hemos podido leer" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en-us/subscription/buy/99999999999999999999/",
        "/en-us/subscription/99999999999999999999/seats/",
        "/en-us/newsletters/weekly/99999999999999999999/",
        "/_audience/view/en-us/99999999999999999999/sig/",
    ],
)
def test_an_id_beyond_64_bits_is_a_404(editions, path):
    for client in (Client(), _reader_client()):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("article", ["99999999999999999999", str(MAX_ID + 1)])
def test_the_body_hole_refuses_an_id_beyond_64_bits(editions, article):
    path = f"/_holes/private/article-body/?lang=en-us&article={article}"
    assert Client().get(path).status_code == 400


def test_the_largest_id_is_looked_up_and_not_found(editions):
    path = f"/_holes/private/article-body/?lang=en-us&article={MAX_ID}"
    response = Client().get(path)
    assert response.status_code == 200 and response.content == b""


def test_read_here_and_the_heartbeat_with_a_huge_article_id(editions):
    client = _reader_client()
    huge = "99999999999999999999"
    assert client.post("/_access/read-here/", {"article": huge}).status_code == 404
    response = client.post("/_access/heartbeat/", {"article": huge, "fence": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "text", ["", "-1", "+1", "1.0", "1e3", "٣", "²", str(MAX_ID + 1), "9" * 400, " 1"]
)
def test_parse_id_refuses_what_is_not_an_id(text):
    with pytest.raises(ValueError, match="not an id"):
        parse_id(text)


@pytest.mark.parametrize("text", ["0", "1", "007", str(MAX_ID)])
def test_parse_id_reads_ids(text):
    assert parse_id(text) == int(text)


def _signup_page(client: Client, language: str) -> str:
    """The CSRF token the signup page gave this browser (and its cookie, now in `client`)."""
    import re

    page = client.get(f"/{language}/accounts/signup/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_a_form_without_its_csrf_token_is_a_403_in_the_edition_language(editions):
    from django.contrib.auth import get_user_model

    client = Client(enforce_csrf_checks=True)
    _signup_page(client, "es-es")
    password = "a long enough passphrase 42"
    fields = {"email": "nueva@example.com", "password1": password, "password2": password}
    # A token from another page load (a sign-in in another tab rotates the secret).
    response = client.post("/es-es/accounts/signup/", {**fields, "csrfmiddlewaretoken": "0" * 64})
    body = response.content.decode()
    assert response.status_code == 403
    assert 'lang="es-es"' in body and "Este formulario ha caducado" in body
    assert "desactualizada" in body and "/es-es/accounts/signup/" in body
    assert "no-cache" in response["Cache-Control"]
    assert not get_user_model().objects.filter(email="nueva@example.com").exists()


def test_a_browser_without_the_csrf_cookie_is_told_to_allow_cookies(editions):
    client = Client(enforce_csrf_checks=True)
    token = _signup_page(client, "en-us")
    client.cookies.clear()
    response = client.post("/en-us/accounts/signup/", {"csrfmiddlewaretoken": token})
    body = response.content.decode()
    assert response.status_code == 403
    assert "This form has expired" in body and "allow cookies for this site" in body
