"""Change email, download my data, delete my account."""

from __future__ import annotations

import json

import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from broadsheet.accounts.models import AuditEntry, Device

from .helpers import (
    CHROME_ANDROID,
    PASSWORD,
    Inbox,
    browser,
    path_of,
    reader_create,
    reauthenticate,
    sign_in,
)

User = get_user_model()


def test_change_email_verifies_the_new_address_and_tells_the_old_one(en_edition, mailbox):
    reader = reader_create(email_address="old@example.com")
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address="old@example.com")

    # allauth asks for the password again before an email change.
    response = client.post("/en-us/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert "/reauthenticate/" in response["Location"]
    reauthenticate(client)
    response = client.post("/en-us/accounts/email/", {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.email == "old@example.com"  # nothing changes until the new one is verified

    [link] = [u for u in Inbox.links(mailbox.last_to("new@example.com")) if "/confirm-email/" in u]
    client.post(path_of(link))

    reader.refresh_from_db()
    assert reader.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=reader).values_list("email", flat=True)) == [
        "new@example.com"
    ]
    notice = mailbox.last_to("old@example.com")
    assert "new@example.com" in Inbox.text(notice)
    assert AuditEntry.objects.filter(subject=reader, action="email.changed").exists()


def test_the_password_typed_again_is_good_for_a_few_minutes(en_edition, mailbox):
    reader_create(email_address="slow@example.com")
    client = browser(CHROME_ANDROID)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, email_address="slow@example.com")
        reauthenticate(client)
    with time_machine.travel(start + timezone.timedelta(hours=1), tick=False):
        response = client.post(
            "/en-us/accounts/email/", {"action_add": "", "email": "other@example.com"}
        )
        assert response.status_code == 302
        assert "/reauthenticate/" in response["Location"]
    assert mailbox.to("other@example.com") == []


def test_download_my_data(en_edition):
    reader = reader_create(email_address="mine@example.com", first_name="Mina")
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address="mine@example.com")
    assert client.get("/en-us/accounts/export/").status_code == 200
    assert "/reauthenticate/" in client.post("/en-us/accounts/export/")["Location"]
    reauthenticate(client)

    response = client.post("/en-us/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "mine@example.com"
    assert data["account"]["first_name"] == "Mina"
    assert data["devices"][0]["name"] == "Chrome on Android"
    assert data["subscriptions"] == {
        "held": [],
        "seats": [],
        "invitations_received": [],
        "invitations_sent": [],
    }
    assert {"action": "device.signed_in"}.items() <= data["activity"][0].items()
    assert reader.pk == data["account"]["id"]


def test_export_and_deletion_ask_for_the_password_unless_typed_in_the_last_five_minutes(
    en_edition,
):
    # As docs/accounts.md says: the pages open without it; signing in does not count; the
    # password typed again is good for ACCOUNT_REAUTHENTICATION_TIMEOUT (300 s).
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, email_address=reader.email)
        for path in ("/en-us/accounts/export/", "/en-us/accounts/delete/"):
            assert client.get(path).status_code == 200
            assert "/reauthenticate/" in client.post(path)["Location"]
        reauthenticate(client)
    with time_machine.travel(start + timezone.timedelta(minutes=4, seconds=59), tick=False):
        assert client.post("/en-us/accounts/export/").status_code == 200
        unticked = client.post("/en-us/accounts/delete/")  # the form again, box not ticked
        assert unticked["Location"] == "/en-us/accounts/delete/"
    with time_machine.travel(start + timezone.timedelta(minutes=5, seconds=1), tick=False):
        for path in ("/en-us/accounts/export/", "/en-us/accounts/delete/"):
            assert "/reauthenticate/" in client.post(path)["Location"]
    assert User.objects.filter(pk=reader.pk).exists()


def test_delete_my_account(en_edition):
    reader = reader_create(email_address="gone@example.com")
    client, other = browser(CHROME_ANDROID), browser()
    sign_in(client, email_address="gone@example.com")
    sign_in(other, email_address="gone@example.com")
    assert client.get("/en-us/accounts/delete/").status_code == 200
    reauthenticate(client)

    # Without ticking the box nothing happens.
    client.post("/en-us/accounts/delete/", {})
    assert User.objects.filter(pk=reader.pk).exists()

    response = client.post("/en-us/accounts/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not Device.objects.exists()
    assert not EmailAddress.objects.filter(email="gone@example.com").exists()
    assert client.get("/en-us/accounts/").status_code == 302
    assert other.get("/en-us/accounts/").status_code == 302
    # The audit log keeps what happened to "user #id", not who they were.
    entries = AuditEntry.objects.filter(subject_label=f"user #{reader.pk}")
    assert entries.filter(action="account.deleted").exists()
    assert all(entry.data == {} for entry in entries)
    # The address can sign up again.
    assert client.get("/en-us/accounts/signup/").status_code == 200


def test_deleting_asks_for_the_password_again(en_edition):
    reader = reader_create()
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address=reader.email)
    response = client.post("/en-us/accounts/delete/", {"confirm": "yes"})
    assert "/reauthenticate/" in response["Location"]
    assert User.objects.filter(pk=reader.pk).exists()
    # A wrong password does not count.
    wrong = client.post(response["Location"], {"password": "not it"})
    assert wrong.status_code == 200
    assert (
        "/reauthenticate/" in client.post("/en-us/accounts/delete/", {"confirm": "yes"})["Location"]
    )
    # The right one lets the deletion through (the form is posted again after it).
    client.post(response["Location"], {"password": PASSWORD})
    client.post("/en-us/accounts/delete/", {"confirm": "yes"})
    assert not User.objects.filter(pk=reader.pk).exists()


def test_account_pages_need_a_signed_in_reader(en_edition, client):
    for path in ("/en-us/accounts/", "/en-us/accounts/devices/", "/en-us/accounts/export/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/en-us/accounts/login/")


def test_account_pages_speak_the_edition_language(es_edition):
    reader_create(email_address="es@example.com")
    client = browser(CHROME_ANDROID)
    sign_in(client, email_address="es@example.com", language="es-es")
    page = client.get("/es-es/accounts/password/change/")
    assert page.status_code == 200
    assert b'lang="es-es"' in page.content
    assert "Contraseña".encode() in page.content
