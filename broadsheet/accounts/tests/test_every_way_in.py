"""Every sign-in, password reset and code form of the site keeps allauth's limits
(ACCOUNT_RATE_LIMITS) and the email verification rule: allauth's own forms, the Wagtail
admin's sign-in and password reset, and Wagtail's front-end login (page privacy), which all
pass through accounts.backends.SignInGateBackend."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from .helpers import PASSWORD, browser, reader_create

User = get_user_model()
FRONT_END_LOGIN = "/en-us/_util/login/"


def _signed_in(client) -> bool:
    return client.get("/en-us/accounts/").status_code == 200


def _admin_signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def _editor(username: str = "editor"):
    call_command("demo_editor", "--username", username, "--password", PASSWORD, verbosity=0)
    return User.objects.get(username=username)


def test_the_front_end_login_refuses_the_right_password_after_many_wrong_ones(editions):
    _editor()
    client = browser()
    for _attempt in range(30):
        wrong = client.post(FRONT_END_LOGIN, {"username": "editor", "password": "guess"})
        assert wrong.status_code == 200
    refused = client.post(FRONT_END_LOGIN, {"username": "editor", "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _admin_signed_in(client)
    # Another browser (another address) is not locked out of its own account by it.
    other = browser(REMOTE_ADDR="198.51.100.20")
    _editor("deputy")
    ok = other.post(FRONT_END_LOGIN, {"username": "deputy", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(other)


def test_the_admin_login_refuses_the_right_password_after_many_wrong_ones(editions):
    _editor()
    client = browser()
    for _attempt in range(30):
        wrong = client.post("/admin/login/", {"username": "editor", "password": "guess"})
        assert wrong.status_code == 200
    refused = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _admin_signed_in(client)


def test_the_admin_login_lets_staff_in_when_nothing_is_wrong(editions):
    # demo_editor (like createsuperuser) makes staff without a verified address.
    editor = _editor()
    assert not EmailAddress.objects.filter(user=editor, verified=True).exists()
    client = browser()
    ok = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(client)


def test_createsuperuser_staff_can_sign_in_to_the_admin(editions):
    User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
    client = browser()
    ok = client.post("/admin/login/", {"username": "chief", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(client)


def test_all_the_doors_share_one_budget_of_failed_sign_ins(en_edition):
    reader = reader_create()
    client = browser()
    for _attempt in range(5):  # login_failed: 5 per 5 minutes per address
        client.post("/en-us/accounts/login/", {"login": reader.email, "password": "guess"})
    # The front-end login is no way round allauth's limit on that address.
    refused = client.post(FRONT_END_LOGIN, {"username": reader.email, "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _signed_in(client)


def test_an_unverified_reader_is_refused_at_the_front_end_login(en_edition):
    unverified = User.objects.create_user(
        "reader-unverified", email="unverified@example.com", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=unverified, email=unverified.email, verified=False, primary=True
    )
    client = browser()
    for username in (unverified.email, unverified.username):
        refused = client.post(FRONT_END_LOGIN, {"username": username, "password": PASSWORD})
        assert refused.status_code == 200
        assert not _signed_in(client)
    # Nor at the admin's.
    refused = client.post("/admin/login/", {"username": unverified.email, "password": PASSWORD})
    assert not _signed_in(client)
    # Once verified, the same door lets them in.
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    ok = client.post(FRONT_END_LOGIN, {"username": unverified.email, "password": PASSWORD})
    assert ok.status_code == 302
    assert _signed_in(client)


def test_an_unverified_reader_signing_in_through_allauth_is_asked_to_verify(en_edition):
    unverified = User.objects.create_user(
        "reader-unverified", email="unverified@example.com", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=unverified, email=unverified.email, verified=False, primary=True
    )
    client = browser()
    response = client.post(
        "/en-us/accounts/login/", {"login": unverified.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "/confirm-email/" in response["Location"]
    assert not _signed_in(client)


def test_the_admin_password_reset_is_limited(editions):
    editor = _editor()
    client = browser()
    statuses = [
        client.post("/admin/password_reset/", {"email": editor.email}).status_code
        for _ in range(12)
    ]
    # reset_password: 3 a minute per address, as allauth's reset form.
    assert len(mail.outbox) == 3
    assert statuses[:3] == [302] * 3
    refused = client.post("/admin/password_reset/", {"email": editor.email})
    assert refused.status_code == 200
    assert b"Too many requests" in refused.content
