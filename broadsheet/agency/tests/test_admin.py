"""An editor in the Wagtail admin: configures a source, uploads a file, sees the drafts and the
run report; a broken or hostile upload is an error on the page, never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from broadsheet.agency import services
from broadsheet.agency.models import ImportRun, RunStatus, Source
from broadsheet.newsroom import services as newsroom_services
from broadsheet.newsroom.models import ArticlePage

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, editions):
    services.agency_setup()
    user = django_user_model.objects.create_user(
        "agency-editor", email="agency-editor@example.com", password="a-long-password-3"
    )
    user.groups.add(Group.objects.get(name=newsroom_services.EDITORS))
    return user


@pytest.fixture
def reporter(django_user_model, editions):
    services.agency_setup()
    user = django_user_model.objects.create_user("agency-reporter", password="a-long-password-4")
    user.groups.add(Group.objects.get(name=newsroom_services.REPORTERS))
    return user


def upload(client, source, name, data):
    return client.post(
        reverse("agency_sources:import", args=[source.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_an_editor_configures_a_source_uploads_and_sees_the_drafts(client, editor, es_world):
    client.force_login(editor)
    assert client.get(reverse("agency_sources:index")).status_code == 200
    add = client.post(
        reverse("agency_sources:add"),
        {
            "name": "Agencia Ibérica",
            "format": "ninjs",
            "section": es_world.pk,
            "url": "https://wire.agencia.example/ninjs",
            "poll_minutes": "15",
        },
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    source = Source.objects.get()
    assert (source.section, source.is_active) == (es_world, False)

    listing = client.get(reverse("agency_sources:index")).content.decode()
    assert "Agencia Ibérica" in listing and "Import a file" in listing
    form = client.get(reverse("agency_sources:import", args=[source.pk]))
    assert form.status_code == 200 and "Internacional" in form.content.decode()

    stories = [
        samples.Story(guid="urn:es:1", headline="Sequía en Aragón", byline="Begoña Díaz"),
        samples.Story(guid="urn:es:2", headline="Huelga de Cercanías"),
    ]
    response = upload(client, source, "wire.json", samples.ninjs_2(stories))

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("agency_runs:report", args=[run.pk])
    assert (run.status, run.created_count, run.user) == (RunStatus.OK, 2, editor)
    report = client.get(response["Location"])
    html = report.content.decode()
    assert report.status_code == 200
    assert "Sequía en Aragón" in html and "Huelga de Cercanías" in html
    assert "2 drafts created" in html  # the message after the upload
    drafts = ArticlePage.objects.child_of(es_world)
    assert drafts.count() == 2 and not drafts.filter(live=True).exists()
    for draft in drafts:
        assert reverse("wagtailadmin_pages:edit", args=[draft.pk]) in html
        assert client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk])).status_code == 200
    runs = client.get(reverse("agency_runs:index") + f"?source={source.pk}")
    assert runs.status_code == 200 and "Imported" in runs.content.decode()
    history = client.get(reverse("agency_sources:history", args=[source.pk]))
    assert history.status_code == 200 and "2 created" in history.content.decode()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.xml", samples.BILLION_LAUGHS, "declares a document type"),
        ("truncated.xml", samples.truncated(samples.rss([samples.Story(guid="x")])), "well-formed"),
        ("latin1.xml", samples.mislabelled_latin1(), "not valid UTF-8 text"),
        ("wire.json", samples.ninjs_2([samples.Story(guid="x")]), "JSON, not XML"),
        ("empty.xml", b"", "empty"),
    ],
)
def test_a_broken_upload_is_an_error_on_the_page(client, editor, en_world, name, data, message):
    source = Source.objects.create(name="Wire", format="rss", section=en_world, is_active=False)
    client.force_login(editor)

    response = upload(client, source, name, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert not ArticlePage.objects.exists()
    if data:
        run = ImportRun.objects.get()
        assert run.status == RunStatus.FAILED and message in run.error
        assert reverse("agency_runs:report", args=[run.pk]) in html
        report = client.get(reverse("agency_runs:report", args=[run.pk])).content.decode()
        assert "nothing was imported" in report


def test_an_oversized_upload_is_refused_before_it_is_read(client, editor, en_world, settings):
    settings.AGENCY_MAX_DOCUMENT_BYTES = 100
    source = Source.objects.create(name="Wire", format="rss", section=en_world, is_active=False)
    client.force_login(editor)
    response = upload(client, source, "big.xml", samples.rss([samples.Story(guid="x")]))
    assert response.status_code == 400 and "larger than 100 bytes" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_partly_broken_file_imports_the_rest_and_says_which_failed(client, editor, en_world):
    source = Source.objects.create(name="Wire", format="ninjs", section=en_world, is_active=False)
    client.force_login(editor)
    document = b'[{"uri": "urn:ok", "headline": "Fine"}, {"uri": "urn:bad"}]'

    response = upload(client, source, "wire.json", document)

    report = client.get(response["Location"]).content.decode()
    assert "Imported with errors" in report and "The item has no headline." in report
    assert ArticlePage.objects.get().title == "Fine"


def test_sources_need_an_url_to_be_active(client, editor, en_world):
    client.force_login(editor)
    response = client.post(
        reverse("agency_sources:add"),
        {
            "name": "No URL",
            "format": "rss",
            "section": en_world.pk,
            "is_active": "on",
            "poll_minutes": "15",
        },
    )
    assert response.status_code == 200
    assert "An active source needs a URL to poll." in response.content.decode()
    assert not Source.objects.exists()


def test_a_reporter_cannot_configure_or_import(client, reporter, en_world):
    source = Source.objects.create(name="Wire", format="rss", section=en_world, is_active=False)
    client.force_login(reporter)
    assert client.get(reverse("agency_sources:index")).status_code in (302, 403)
    assert upload(client, source, "a.xml", b"<rss/>").status_code in (302, 403)
    assert client.get(reverse("agency_runs:index")).status_code in (302, 403)
    assert not ImportRun.objects.exists()


def test_unknown_sources_and_runs_are_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("agency_sources:import", args=[999999])).status_code == 404
    assert client.get(reverse("agency_runs:report", args=[999999])).status_code == 404
    assert client.get(reverse("agency_runs:index") + "?source=abc&p=zz").status_code == 200
