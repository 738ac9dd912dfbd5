"""Register, verify the email by the link (confirmed by POST), sign in: against a real SMTP
server, following the links the emails carry."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from broadsheet.accounts.models import Device

from .helpers import PASSWORD, Inbox, path_of, reader_create

User = get_user_model()


def _sign_up(client, *, email_address: str, language: str = "en-us"):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email_address, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_sign_up_verify_by_link_then_signed_in(client, mailbox, en_edition):
    response = _sign_up(client, email_address="Ana@Example.com")
    assert response.status_code == 302

    user = User.objects.get(email__iexact="ana@example.com")
    assert user.username  # generated: readers never choose one
    assert not EmailAddress.objects.get(user=user).verified

    message = mailbox.last_to("ana@example.com")
    [link] = [url for url in Inbox.links(message) if "/confirm-email/" in url]
    assert "/en-us/accounts/confirm-email/" in link

    # Following the link shows a button; nothing is confirmed on GET (mail scanners GET it).
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert not EmailAddress.objects.get(user=user).verified

    confirmed = client.post(path_of(link))
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    # Signed in on this browser, which is now one of the reader's devices.
    assert client.get("/en-us/accounts/").status_code == 200
    assert Device.objects.filter(user=user).count() == 1


def test_sign_in_is_refused_until_the_email_is_verified(client, mailbox, en_edition):
    _sign_up(client, email_address="late@example.com")
    other = type(client)()
    response = other.post(
        "/en-us/accounts/login/", {"login": "late@example.com", "password": PASSWORD}
    )
    # allauth sends them to "verify your email" instead of signing them in.
    assert response.status_code == 302
    assert "/confirm-email/" in response["Location"]
    assert other.get("/en-us/accounts/").status_code == 302


def test_the_spanish_edition_signs_up_in_spanish(client, mailbox, es_edition):
    page = client.get("/es-es/accounts/signup/")
    assert page.status_code == 200
    assert b'lang="es-es"' in page.content
    assert "Contraseña".encode() in page.content

    _sign_up(client, email_address="lucia@example.com", language="es-es")
    message = mailbox.last_to("lucia@example.com")
    [link] = [url for url in Inbox.links(message) if "/confirm-email/" in url]
    assert "/es-es/accounts/confirm-email/" in link
    assert "correo" in Inbox.text(message).lower() or "email" in message["Subject"].lower()
    assert message["Subject"] != "Please Confirm Your Email Address"


def test_signing_up_with_a_taken_email_looks_the_same_and_warns_the_owner(
    client, mailbox, en_edition
):
    reader_create(email_address="taken@example.com")
    fresh = _sign_up(type(client)(), email_address="fresh@example.com")
    taken = _sign_up(client, email_address="TAKEN@example.com")

    # The same answer as for a new address: no way to tell who has an account here.
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    # The owner is told someone tried; no confirmation link goes out for it.
    warning = mailbox.last_to("taken@example.com")
    assert not [url for url in Inbox.links(warning) if "/confirm-email/" in url]


def test_emails_leave_only_after_the_request_commits(mailbox, en_edition, settings):
    from django.test import Client

    # A plain client: the test's transaction never commits, so no email may have gone out.
    Client().post(
        "/en-us/accounts/signup/",
        {"email": "uncommitted@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert mailbox.to("uncommitted@example.com") == []


def test_weak_passwords_are_refused(client, en_edition):
    response = client.post(
        "/en-us/accounts/signup/",
        {"email": "weak@example.com", "password1": "password", "password2": "password"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="weak@example.com").exists()


def test_verification_by_code_when_configured(client, mailbox, en_edition, settings):
    import re

    settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
    response = _sign_up(client, email_address="coder@example.com")
    assert response.status_code == 302
    text = Inbox.text(mailbox.last_to("coder@example.com"))
    assert "/confirm-email/" not in text
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", text, flags=re.M).group(1)

    form = client.get(response["Location"])
    assert form.status_code == 200
    wrong = client.post(response["Location"], {"code": "AAAA-0000"})
    assert wrong.status_code == 200
    confirmed = client.post(response["Location"], {"code": code})
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="coder@example.com").verified
    assert client.get("/en-us/accounts/").status_code == 200
