"""An app is a device like a browser: one slot per seat, "Read here" either way, each told of
the other, three takeovers bring the sharing warning to both. Runs on each store."""

from __future__ import annotations

import pytest

from broadsheet.access.tests.conftest import NOTICE, SECRET, WARNING, device_client
from broadsheet.access.tests.conftest import read as web_read
from broadsheet.access.tests.conftest import read_here as web_read_here

from .conftest import App, subscriber_create, verified

pytestmark = pytest.mark.django_db


def test_browser_and_app_take_the_slot_from_each_other(store, gated):
    reader = verified(subscriber_create())
    browser = device_client(reader, "firefox-linux")
    app = App()
    app.sign_in(reader.email)

    assert SECRET in web_read(browser, gated)

    # The app: the notice, naming the browser, and no body.
    reading = app.body(gated).json()
    assert reading["show"] == "device_notice" and reading["body_html"] is None
    assert reading["notice"]["title"] == NOTICE
    assert reading["notice"]["holder_device"] == "Firefox on Linux"
    assert SECRET not in str(reading)

    taken = app.read_here(gated).json()
    assert taken["show"] == "body" and SECRET in taken["body_html"]
    fence = taken["slot"]["fence"]
    assert app.heartbeat(gated, fence).json()["state"] == "reading"

    # The browser now gets the notice, naming the app.
    page = web_read(browser, gated)
    assert NOTICE in page and "Broadsheet app on iPhone" in page and SECRET not in page

    web_read_here(browser, gated)
    beat = app.heartbeat(gated, fence).json()
    assert beat["state"] == "notice" and beat["notice"]["holder_device"] == "Firefox on Linux"
    assert app.body(gated).json()["show"] == "device_notice"


def test_three_takeovers_bring_the_sharing_warning_to_both(store, gated):
    reader = verified(subscriber_create())
    browser = device_client(reader, "firefox-linux")
    app = App()
    app.sign_in(reader.email)
    web_read(browser, gated)

    app.read_here(gated)  # 1
    web_read_here(browser, gated)  # 2
    assert app.body(gated).json()["sharing_warning"] is None
    last = app.read_here(gated).json()  # 3

    assert last["sharing_warning"]["title"] == WARNING
    kinds = [way["kind"] for way in last["sharing_warning"]["ways_out"]]
    assert "change_password" in kinds and "sign_out_devices" in kinds
    assert app.get("me/").json()["sharing_warning"]["title"] == WARNING
    assert WARNING in web_read(browser, gated)


def test_the_notice_and_warning_speak_the_editions_language(store, es_world):
    from broadsheet.newsroom.tests import factories

    article = factories.article_publish(
        section=es_world, title="Informe cerrado", access_level="subscribers"
    )
    reader = verified(subscriber_create())
    other = App()
    other.sign_in(reader.email, platform="android")
    other.edition = "es-es"
    other.body(article)
    app = App(edition="es-es")
    app.sign_in(reader.email)
    notice = app.body(article).json()["notice"]
    assert notice["title"] == "Tu suscripción se está usando en otro dispositivo"
    assert notice["holder_device"] == "Broadsheet app en Android"


def test_a_device_without_the_slot_gets_no_body_from_any_endpoint(store, gated, client):
    reader = verified(subscriber_create())
    browser = device_client(reader, "firefox-linux")
    web_read(browser, gated)
    app = App()
    app.sign_in(reader.email)
    answers = [
        app.body(gated),
        app.get(f"articles/{gated.pk}/"),
        app.get("articles/"),
        app.get("search/", q="Gated"),
        app.heartbeat(gated, 1),
        client.get(f"/api/v1/en-us/articles/{gated.pk}/"),
    ]
    for answer in answers:
        assert SECRET not in answer.content.decode()
