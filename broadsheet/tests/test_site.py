import json
import logging

import pytest
from django.test import RequestFactory

from broadsheet.logs import JsonFormatter
from broadsheet.views import server_error


@pytest.mark.django_db
def test_health_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_robots_names_the_sitemaps(client):
    body = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.django_db
def test_root_sends_readers_to_the_edition_of_their_language(client, editions):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")["Location"] == "/es-es/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")["Location"] == "/en-us/"


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/es-es/world/x/", "Algo ha fallado"), ("/en-us/world/x/", "Something went wrong")],
)
def test_server_error_page_speaks_the_edition_language(path, expected):
    response = server_error(RequestFactory().get(path))
    assert response.status_code == 500
    assert expected in response.content.decode()


def test_logs_are_one_json_object_per_line():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, 'said "%s"', ("hi",), None)
    assert json.loads(JsonFormatter().format(record))["message"] == 'said "hi"'


@pytest.mark.django_db
def test_bad_host_header_is_refused_not_crashed(client):
    response = client.get("/en-us/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_unknown_admin_page_is_not_sent_into_an_edition(client, editions, django_user_model):
    staff = django_user_model.objects.create_superuser("chief", "chief@example.com", "pass-12345")
    client.force_login(staff)
    response = client.get("/admin/pages/999999/edit/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_setup_puts_the_site_on_the_given_host(editions):
    from wagtail.models import Site

    from broadsheet.newsroom import services

    services.editions_setup(hostname="news.example.com", port=443)
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "https://news.example.com"
