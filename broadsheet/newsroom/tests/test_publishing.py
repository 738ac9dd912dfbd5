from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db


class TestPageTree(WagtailPageTestCase):
    def test_articles_live_in_sections_which_live_in_editions(self):
        self.assertAllowedParentPageTypes(ArticlePage, {SectionPage})
        self.assertAllowedParentPageTypes(SectionPage, {EditionPage})
        self.assertAllowedParentPageTypes(EditionPage, {Page})
        self.assertAllowedSubpageTypes(ArticlePage, set())
        self.assertAllowedSubpageTypes(SectionPage, {ArticlePage})
        self.assertAllowedSubpageTypes(EditionPage, {SectionPage})


def test_a_draft_is_not_visible_to_readers(client, en_world):
    draft = ArticlePage(title="Embargoed", slug="embargoed", standfirst="Not yet.", live=False)
    en_world.add_child(instance=draft)
    draft.save_revision()

    assert not ArticlePage.objects.get(pk=draft.pk).live
    assert client.get("/en-us/world/embargoed/").status_code == 404
    assert "Embargoed" not in client.get("/en-us/").content.decode()


def test_scheduled_publish_and_unpublish(client, en_world, django_capture_on_commit_callbacks):
    go_live, expire = timezone.now() + timedelta(hours=1), timezone.now() + timedelta(hours=5)
    article = ArticlePage(
        title="Scheduled story", slug="scheduled-story", standfirst="Soon.", live=False
    )
    en_world.add_child(instance=article)
    article.go_live_at, article.expire_at = go_live, expire
    article.save_revision().publish()  # with go_live_at ahead, this schedules

    call_command("publish_scheduled", verbosity=0)
    assert client.get("/en-us/world/scheduled-story/").status_code == 404

    with (
        time_machine.travel(go_live + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("publish_scheduled", verbosity=0)
        assert client.get("/en-us/world/scheduled-story/").status_code == 200
        assert "Scheduled story" in client.get("/en-us/").content.decode()

    with (
        time_machine.travel(expire + timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("publish_scheduled", verbosity=0)
        assert client.get("/en-us/world/scheduled-story/").status_code == 404
        assert "Scheduled story" not in client.get("/en-us/").content.decode()


def test_a_translation_links_both_ways_with_hreflang(client, en_world, es_edition):
    article = factories.article_publish(section=en_world, title="Harbour reopens")
    translation = article.copy_for_translation(es_edition.locale, copy_parents=True)
    translation.title = "Reabre el puerto"
    translation.save_revision().publish()

    english = client.get(article.url).content.decode()
    spanish = client.get(translation.get_url()).content.decode()

    assert 'hreflang="es-es"' in english and translation.get_url() in english
    assert 'hreflang="en-us"' in spanish and article.url in spanish


def test_publishing_a_translation_refreshes_the_cached_original(
    client, en_world, es_edition, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world, title="Harbour reopens")
    assert client.get(article.url)["X-Page-Cache"] == "miss"
    assert client.get(article.url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        translation = article.copy_for_translation(es_edition.locale, copy_parents=True)
        translation.title = "Reabre el puerto"
        translation.save_revision().publish()

    english = client.get(article.url)
    assert english["X-Page-Cache"] == "miss"
    html = english.content.decode()
    assert f'href="{translation.get_url()}" hreflang="es-es"' in html
    assert 'rel="alternate" hreflang="es-es"' in html.lower()


def test_correction_needs_a_note(en_world):
    from django.core.exceptions import ValidationError

    article = factories.article_publish(section=en_world)
    article.corrected_at = timezone.now()
    with pytest.raises(ValidationError):
        article.full_clean()


def test_renaming_a_section_updates_every_header(
    client, en_world, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world)
    assert ">World<" in client.get(article.url).content.decode()

    en_world.title = "Worldwide"
    with django_capture_on_commit_callbacks(execute=True):
        en_world.save_revision().publish()

    html = client.get(article.url).content.decode()
    assert ">Worldwide<" in html and ">World<" not in html
