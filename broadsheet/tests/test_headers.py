"""Headers every answer carries, whichever layer answered: private when signed in (unless the
members' shared copy), a Content-Security-Policy and X-Frame-Options, cache hits included;
and no redirect from https down to http."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.accounts.tests.helpers import PASSWORD, reader_create
from broadsheet.newsroom.tests import factories


@pytest.fixture
def tagged(en_world):
    return factories.article_publish(section=en_world, title="Budget vote", tags=["budget"])


def _signed_in(kind: str) -> tuple[Client, str]:
    user = reader_create(is_staff=(kind == "staff"), is_superuser=(kind == "staff"))
    client = Client()
    client.force_login(user)
    return client, user.email


def _is_private(response) -> bool:
    return "private" in response.get("Cache-Control", "")


PERSONAL_PAGES = ["/en-us/accounts/", "/en-us/subscription/", "/en-us/search/?q=budget"]


@pytest.mark.parametrize("members_cache", [True, False], ids=["members-cache", "no-members-cache"])
@pytest.mark.parametrize("kind", ["reader", "staff"])
@pytest.mark.parametrize("path", PERSONAL_PAGES)
def test_pages_about_the_signed_in_reader_are_private(settings, tagged, members_cache, kind, path):
    settings.PAGE_CACHE_MEMBERS = members_cache
    client, email = _signed_in(kind)
    for _ in range(2):  # a second view could only differ if something had kept the first
        response = client.get(path)
        assert response.status_code == 200
        assert _is_private(response), response.get("Cache-Control")
        assert "public" not in response.get("Cache-Control", "")
        assert "Cookie" in response["Vary"]
    if path == "/en-us/accounts/":
        assert email in response.content.decode()


def test_staff_see_newsroom_pages_privately(settings, tagged):
    settings.PAGE_CACHE_MEMBERS = True
    client, _email = _signed_in("staff")
    response = client.get("/en-us/tag/budget/")
    assert response.status_code == 200
    assert _is_private(response)


def test_without_the_members_cache_a_reader_sees_newsroom_pages_privately(settings, tagged):
    settings.PAGE_CACHE_MEMBERS = False
    client, _email = _signed_in("reader")
    response = client.get("/en-us/tag/budget/")
    assert response.status_code == 200
    assert _is_private(response)


def test_the_members_page_cache_still_shares_newsroom_pages(settings, tagged):
    settings.PAGE_CACHE_MEMBERS = True
    first_client, _email = _signed_in("reader")
    second_client, _email = _signed_in("reader")
    first = first_client.get("/en-us/tag/budget/")
    second = second_client.get("/en-us/tag/budget/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("member-miss", "member-hit")
    # Its holes were filled with each reader's own fragment: private, once filled.
    assert _is_private(second)


def test_a_stale_session_cookie_still_makes_the_answer_private(tagged):
    client = Client()
    client.cookies["sessionid"] = "not-a-session-of-ours"
    response = client.get("/en-us/tag/budget/")
    assert response.status_code == 200
    assert _is_private(response)


def test_signing_in_answers_privately(editions):
    reader = reader_create()
    client = Client()
    response = client.post("/en-us/accounts/login/", {"login": reader.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _is_private(response)


def test_anonymous_pages_stay_public_for_the_page_cache(tagged):
    client = Client()
    client.get("/en-us/tag/budget/")
    hit = client.get("/en-us/tag/budget/")
    assert hit["X-Page-Cache"] == "hit"
    assert "public" in hit["Cache-Control"]


@pytest.mark.parametrize("path", ["/en-us/tag/budget/", "/en-us/world/budget-vote/", "/en-us/"])
def test_csp_and_frame_options_are_on_rendered_pages_and_cache_hits(tagged, path):
    client = Client()
    miss, hit = client.get(path), client.get(path)
    assert hit["X-Page-Cache"] == "hit"
    for response in (miss, hit):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
        assert "frame-ancestors 'none'" in policy
        assert "nonce-" not in policy  # a nonce in a shared page would be everyone's
        assert response["X-Frame-Options"] == "DENY"


def test_readers_pages_have_no_inline_script(tagged):
    html = Client().get("/en-us/world/budget-vote/").content.decode()
    for chunk in html.split("<script")[1:]:
        opening = chunk.split(">", 1)[0]
        # Data blocks (JSON-LD, json_script) are never run, so the policy does not cover them.
        assert "src=" in opening or 'json"' in opening, opening


def test_the_wagtail_admin_has_its_own_policy_and_works(editions):
    client, _email = _signed_in("staff")
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy
    login = Client().get("/admin/login/")
    assert "'unsafe-inline'" in login["Content-Security-Policy"]


@pytest.mark.parametrize(
    "target",
    ["http://testserver/en-us/accounts/", "HTTP://testserver/en-us/", "//evil.example/"],
)
def test_sign_in_over_https_never_follows_next_down_to_http(editions, target):
    reader = reader_create()
    response = Client().post(
        "/en-us/accounts/login/",
        {"login": reader.email, "password": PASSWORD, "next": target},
        secure=True,
    )
    assert response.status_code == 302
    assert not response["Location"].lower().startswith(("http:", "//"))


def test_sign_in_follows_a_relative_or_https_next(editions):
    reader = reader_create()
    for target in ("/en-us/subscription/", "https://testserver/en-us/subscription/"):
        client = Client()
        response = client.post(
            "/en-us/accounts/login/",
            {"login": reader.email, "password": PASSWORD, "next": target},
            secure=True,
        )
        assert response["Location"] == target
