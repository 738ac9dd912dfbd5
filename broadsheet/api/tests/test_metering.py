"""Anonymous app readers are metered like web readers, by the app's installation id."""

from __future__ import annotations

import pytest
from django.test import override_settings

from broadsheet.newsroom.tests import factories

from .conftest import App

pytestmark = pytest.mark.django_db


@override_settings(ACCESS_ANONYMOUS_METER=2)
def test_the_meter_counts_across_app_requests_by_installation(store, en_world):
    first, second, third = (
        factories.article_publish(section=en_world, title=f"Metered {n}", access_level="metered")
        for n in range(3)
    )
    app = App()
    opened = app.body(first).json()
    assert opened["show"] == "body" and opened["meter"]["remaining"] == 1
    # No id was sent: the API made one, which the app sends from now on.
    app.installation = opened["installation_id"]
    assert app.body(first).json()["meter"]["used"] == 1  # re-reading counts nothing
    assert app.body(second).json()["meter"]["remaining"] == 0
    walled = app.body(third).json()
    assert walled["show"] == "registration_wall" and walled["body_html"] is None
    assert walled["wall"]["title"] == "You have read your free articles"
    # Another installation is another reader.
    other = App(installation="f" * 32)
    assert other.body(third).json()["show"] == "body"


def test_a_malformed_installation_id_is_a_clear_400(store, en_world):
    article = factories.article_publish(section=en_world, access_level="metered")
    response = App(installation="NOT VALID!").body(article)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "Broadsheet-Installation" in response.json()["errors"]
