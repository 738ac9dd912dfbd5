"""Rate limits (allauth's, on the real cache) on sign-in, sign-up, password reset, and the
Wagtail admin sign-in (the same limits: test_every_way_in.py); client addresses taken only
from trusted proxies."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .helpers import PASSWORD, browser, reader_create

User = get_user_model()


def _login(client, email_address, password, **extra):
    return client.post(
        "/en-us/accounts/login/", {"login": email_address, "password": password}, **extra
    )


def test_failed_sign_ins_lock_the_address_for_a_while(en_edition):
    reader = reader_create()
    client = browser()
    for _attempt in range(5):
        assert _login(client, reader.email, "wrong password").status_code == 200
    # Even the right password is refused now: guessing is pointless.
    refused = _login(client, reader.email, PASSWORD)
    assert refused.status_code in (200, 429)
    assert b"Too many" in refused.content or refused.status_code == 429
    assert client.get("/en-us/accounts/").status_code == 302


def test_signups_from_one_ip_are_limited(en_edition):
    client = browser()
    statuses = [
        client.post(
            "/en-us/accounts/signup/",
            {"email": f"s{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [302] * 10
    assert statuses[-1] == 429
    assert User.objects.count() == 10


def test_password_reset_requests_are_limited(en_edition):
    reader = reader_create()
    client = browser()
    statuses = [
        client.post("/en-us/accounts/password/reset/", {"email": reader.email}).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [302] * 3
    assert 429 in statuses[3:]


def test_forwarded_for_is_ignored_without_trusted_proxies(en_edition, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    client = browser()
    statuses = [
        client.post(
            "/en-us/accounts/signup/",
            {"email": f"x{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
            # A made-up address each time: it must not buy a fresh allowance.
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


def test_a_trusted_proxy_gives_each_client_its_own_allowance(en_edition, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client = browser()
    statuses = [
        client.post(
            "/en-us/accounts/signup/",
            {"email": f"y{n}@example.com", "password1": PASSWORD, "password2": PASSWORD},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(11)
    ]
    assert statuses == [302] * 11


def test_the_admin_sign_in_keeps_allauths_limits(editions, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": "20/m/ip,3/m/key",
    }
    get_user_model().objects.create_superuser("chief", "chief@example.com", PASSWORD)
    client = browser()
    for _attempt in range(3):
        response = client.post("/admin/login/", {"username": "chief", "password": "wrong"})
        assert response.status_code == 200
    refused = client.post("/admin/login/", {"username": "chief", "password": PASSWORD})
    assert refused.status_code == 200  # the form again: no session
    assert client.get("/admin/").status_code == 302
    # Another account is not locked by it.
    get_user_model().objects.create_superuser("deputy", "deputy@example.com", PASSWORD)
    ok = client.post("/admin/login/", {"username": "deputy", "password": PASSWORD})
    assert ok.status_code == 302
