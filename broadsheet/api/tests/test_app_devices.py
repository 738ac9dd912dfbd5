"""Signing in from the app: the site's gate and limits, a device with a token, listed and
signed out like any device; a password change on the web ends it."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from broadsheet.accounts.models import Device
from broadsheet.accounts.tests.helpers import CommittingClient, sign_in
from broadsheet.api.models import AppToken
from broadsheet.api.services import token_hash

from .conftest import PASSWORD, App, subscriber_create, verified

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 77"


def test_sign_in_makes_a_named_device_whose_token_is_kept_hashed(en_edition):
    reader = verified(subscriber_create())
    app = App()
    response = app.sign_in(reader.email)
    assert response.status_code == 201
    token = response.json()["token"]
    device = Device.objects.get(user=reader)
    assert device.name == "Broadsheet app on iPhone"
    assert response.json()["device"] == {"id": device.pk, "name": "Broadsheet app on iPhone"}
    stored = AppToken.objects.get(device=device)
    assert stored.key_hash == token_hash(token) and token not in stored.key_hash
    me = app.get("me/").json()
    assert me["signed_in"] and me["subscriber"] and me["device"]["id"] == device.pk

    web = CommittingClient()
    sign_in(web, email_address=reader.email, password=PASSWORD)
    devices_page = web.get("/en-us/accounts/devices/").content.decode()
    assert "Broadsheet app on iPhone" in devices_page


def test_wrong_password_and_unverified_email_are_refused_alike(en_edition):
    reader = verified(subscriber_create())
    wrong = App().sign_in(reader.email, password="not it")
    assert wrong.status_code == 401 and wrong["Content-Type"] == "application/problem+json"
    unverified = subscriber_create()
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    refused = App().sign_in(unverified.email)
    assert refused.status_code == 401
    assert refused.json()["detail"] == wrong.json()["detail"]
    assert not Device.objects.filter(user__in=[reader, unverified]).exists()


def test_failed_sign_ins_count_under_the_sites_limits(en_edition):
    reader = verified(subscriber_create())
    for _attempt in range(5):
        assert App().sign_in(reader.email, password="guess").status_code == 401
    # allauth's "5 failures per 5 minutes per address": the right password is refused now too,
    # at the app as at the site's own form.
    assert App().sign_in(reader.email).status_code == 401
    web = CommittingClient()
    page = web.post("/en-us/accounts/login/", {"login": reader.email, "password": PASSWORD})
    assert page.status_code == 200  # the form again, with allauth's "too many attempts"


def test_a_token_in_the_address_is_refused(en_edition):
    reader = verified(subscriber_create())
    app = App()
    app.sign_in(reader.email)
    token = app.token
    response = App().client.get("/api/v1/en-us/me/", {"token": token})
    assert response.status_code == 400
    assert "Authorization" in response.json()["detail"]


def test_a_password_change_on_the_web_ends_the_apps_token(en_edition):
    reader = verified(subscriber_create())
    app = App()
    app.sign_in(reader.email)
    assert app.get("me/").status_code == 200

    web = CommittingClient()
    sign_in(web, email_address=reader.email, password=PASSWORD)
    changed = web.post(
        "/en-us/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302

    refused = app.get("me/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert "signed out" in refused.json()["detail"]
    assert not AppToken.objects.exists()
    # The web device that changed it stays signed in.
    assert web.get("/en-us/accounts/devices/").status_code == 200


def test_the_app_signs_out_and_the_devices_page_signs_it_out(en_edition):
    reader = verified(subscriber_create())
    app = App()
    app.sign_in(reader.email)
    assert app.post("me/sign-out/").status_code == 204
    assert app.get("me/").status_code == 401

    again = App()
    again.sign_in(reader.email, platform="android")
    device = Device.objects.get(user=reader)
    assert device.name == "Broadsheet app on Android"
    web = CommittingClient()
    sign_in(web, email_address=reader.email, password=PASSWORD)
    web.post("/en-us/accounts/devices/", {"device": device.pk})
    assert again.get("me/").status_code == 401


def test_errors_speak_the_editions_language(en_edition):
    app = App(token="forged", edition="es-es")
    response = app.get("me/")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Este token no es válido: se cerró la sesión de la app. Vuelve a iniciar sesión."
    )
