"""The OpenAPI schema: the served one is the committed file, and the API keeps to it
(schemathesis: no 500, every answer's status, type and body as the schema says)."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from broadsheet.api.management.commands.api_schema import schema_text
from broadsheet.api.schema import SCHEMA_FILE
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(json.loads(SCHEMA_FILE.read_text()))


def test_the_served_schema_is_the_committed_file(client):
    served = client.get("/api/v1/schema/")
    assert served.status_code == 200
    assert served.json() == json.loads(SCHEMA_FILE.read_text()), (
        "the API changed: run `manage.py api_schema` and commit broadsheet/api/openapi.json"
    )
    assert served.json()["openapi"].startswith("3.1")
    assert schema_text() == SCHEMA_FILE.read_text()


@pytest.fixture
def content(en_world, es_world):
    author = factories.author_create(name="Schema Writer")
    for level in ("free", "metered", "subscribers"):
        factories.article_publish(
            section=en_world, access_level=level, tags=["climate"], authors=[author]
        )
    factories.article_publish(section=es_world, access_level="metered")


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, minus what closes the database connection after each
    request (as Django's test client does): the test's transaction must outlive them."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(case, content, wsgi_app):
    # Every check but "schema-valid data is accepted": a cursor is any string to the schema,
    # but only one the API handed out is valid (anything else is a 400, as it should be).
    case.call_and_validate(app=get_wsgi_application(), excluded_checks=[positive_data_acceptance])
