"""The demo newsroom (load_demo_content) and the bulk generator (generate_articles): what
`run.py demo` and the benchmarks rely on."""

from __future__ import annotations

import importlib
import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex
from wagtail.search.backends import get_search_backend

from broadsheet.audience import selectors as audience_selectors
from broadsheet.newsroom import selectors, services
from broadsheet.newsroom.demo import bulk, loader
from broadsheet.newsroom.models import (
    ArticlePage,
    ArticleTag,
    Author,
    EditionPage,
    SectionPage,
    Tag,
    TagKind,
)
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db

# Small pictures keep the demo quick to build and its renditions quick to make.
IMAGE_WIDTH = 96
# A few stories, for the tests of loading itself: three English ones with their translations
# (one of them a top story in both editions) and a Spanish one.
SMALL_DEMO_KEYS = {"shipping-accord", "night-train", "slow-trains-column", "es-cercanias"}


# What readers type, in groups that must find the same demo articles: with and without accents,
# in upper case, singular and plural, one form of a word and another. docs/search.md lists what
# each finds on SQLite and on PostgreSQL.
RECALL_GROUPS = {
    "en-us": [
        ("dam", "dams", "Dams"),
        ("reservoir", "reservoirs"),
        ("election", "elections"),
        ("train", "trains"),
        ("drought", "droughts"),
    ],
    "es-es": [
        ("sequía", "sequia", "SEQUÍA", "sequías"),
        ("cercanías", "cercanias"),
        ("elección", "eleccion", "elecciones"),
        ("embalse", "embalses"),
        ("tren", "trenes"),
        ("escuela", "escuelas"),
        ("precio", "precios"),
        ("vivienda", "viviendas"),
    ],
}


def recall_results() -> dict[tuple[str, str], set[int]]:
    """The live articles (ids) each recall query finds in its edition."""
    from django.utils import translation

    counts = {}
    for language, groups in RECALL_GROUPS.items():
        edition = EditionPage.objects.get(locale__language_code=language)
        with translation.override(language):
            for group in groups:
                for query in group:
                    found = selectors.article_search(edition=edition, query=query)
                    counts[(language, query)] = {article.pk for article in found}
    return counts


def _small_demo():
    return [story for story in loader.STORIES if story.key in SMALL_DEMO_KEYS]


@pytest.fixture
def media_root(settings, tmp_path):
    # Pictures and renditions are real files: keep them out of the project's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _articles(language_code: str):
    return ArticlePage.objects.live().filter(locale__language_code=language_code)


def _tree_problems() -> tuple:
    # treebeard: bad alphabet, bad paths, orphans, bad depths, bad child counts.
    return Page.find_problems()


# --- load_demo_content --------------------------------------------------------------------


@pytest.fixture(scope="class")
def full_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo, built once for the tests of TestFullDemo (which only read it) and rolled
    back after the last of them."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            editions = services.editions_setup(hostname="testserver", port=80)
            services.roles_setup(editions=editions)
            summary = loader.demo_content_load(image_width=IMAGE_WIDTH)
            yield summary
            transaction.set_rollback(True)


class TestFullDemo:
    @pytest.fixture
    def demo(self, full_demo, db):
        # Each test still runs in its own savepoint, inside the class's transaction.
        return full_demo

    @pytest.fixture
    def homes(self, demo):
        return {
            home.locale.language_code: home for home in EditionPage.objects.select_related("locale")
        }

    def test_both_editions_have_live_articles(self, demo):
        english = _articles("en-us")
        spanish = _articles("es-es")

        assert english.count() + spanish.count() >= 40
        assert english.count() >= 20 and spanish.count() >= 15
        assert demo.articles == {"en-us": english.count(), "es-es": spanish.count()}
        for articles in (english, spanish):
            sections = {article.get_parent().pk for article in articles}
            assert len(sections) >= 5

    def test_sections_of_each_edition(self, homes):
        def titles(edition):
            return [section.title for section in selectors.edition_section_list(edition=edition)]

        assert titles(homes["en-us"]) == [
            "World",
            "U.S.",
            "Politics",
            "Economy",
            "Culture",
            "Opinion",
        ]
        assert titles(homes["es-es"]) == [
            "Internacional",
            "España",
            "Política",
            "Economía",
            "Cultura",
            "Opinión",
        ]
        world = SectionPage.objects.get(locale__language_code="en-us", slug="world")
        assert world.get_translation(homes["es-es"].locale).title == "Internacional"

    def test_spanish_translations_are_linked_to_their_originals(self, demo, homes):
        translated = [
            article
            for article in _articles("es-es")
            if article.get_translations().filter(locale__language_code="en-us").exists()
        ]

        assert len(translated) == demo.translations >= 5
        for article in translated:
            english = article.get_translations().get()
            assert english.live
            assert english.title != article.title
            assert english.get_parent().get_translation(article.locale) == article.get_parent()
            # Each edition links to its own articles only.
            for link in article.related_links.all():
                assert link.article.locale_id == homes["es-es"].locale_id

    def test_articles_are_complete(self, demo):
        articles = list(ArticlePage.objects.live())

        for article in articles:
            assert article.standfirst
            assert article.lead_image is not None
            assert article.lead_image_caption and article.lead_image_credit
            assert 1 <= article.article_authors.count() <= 2
            assert article.tags.exists()
            assert 1 <= article.related_links.count() <= 3
            assert 4 <= len(article.body) <= 8
            assert "paragraph" in {block.block_type for block in article.body}
        block_types = {block.block_type for article in articles for block in article.body}
        assert block_types >= {"paragraph", "subhead", "pull_quote", "image", "related_card"}
        assert {article.access_level for article in articles} == {
            "free",
            "metered",
            "subscribers",
        }
        corrected = [article for article in articles if article.correction_note]
        assert len(corrected) >= 2
        assert all(article.corrected_at for article in corrected)

    def test_authors_tags_and_pictures(self, demo):
        authors = Author.objects.filter(slug__in=[spec.slug for spec in loader.people.AUTHORS])

        assert authors.count() >= 8
        assert all(author.bio and author.photo_id for author in authors)
        assert set(Tag.objects.values_list("kind", flat=True)) == set(TagKind.values)
        assert get_image_model().objects.count() == demo.images

    def test_publication_times_are_spread_and_some_updated(self, demo):
        articles = list(ArticlePage.objects.live())
        first = [article.first_published_at for article in articles]

        assert max(first) - min(first) > timedelta(days=7)
        assert any(article.show_updated for article in articles)
        assert not all(article.show_updated for article in articles)

    def test_top_stories_are_pinned_on_each_home(self, homes, client):
        for language_code, home in homes.items():
            top = selectors.edition_top_stories(edition=home)
            assert len(top) == len(loader.TOP_STORIES[language_code])
            assert all(article.locale_id == home.locale_id for article in top)

            html = client.get(f"/{language_code}/").content.decode()
            assert top[0].title in html

    def test_pages_render(self, homes, client):
        for home in homes.values():
            assert client.get(home.url).status_code == 200
            for section in SectionPage.objects.child_of(home):
                assert client.get(section.url).status_code == 200
        for article in ArticlePage.objects.live():
            response = client.get(article.url)
            assert response.status_code == 200, article.url
            assert article.title in response.content.decode()

    def test_translated_article_links_to_the_other_edition(self, demo, client):
        spanish = _articles("es-es").get(slug="vuelve-tren-nocturno-varnholm-castellmar")
        english = spanish.get_translations().get()

        html = client.get(spanish.url).content.decode()

        assert f'href="{english.url}" hreflang="en-us"' in html

    def test_images_are_known_to_be_in_use(self, demo):
        article = _articles("en-us").get(slug="harmon-mill-dam-comes-down")

        usage = ReferenceIndex.get_references_to(article.lead_image)

        assert usage.filter(object_id=str(article.pk)).exists()

    def test_tree_stays_consistent(self, demo):
        assert not any(_tree_problems())

    def test_search_finds_every_form_of_a_word_with_or_without_accents(self, demo):
        results = recall_results()
        for language, groups in RECALL_GROUPS.items():
            for group in groups:
                first, *others = (results[(language, query)] for query in group)
                assert first, (language, group)
                assert all(other == first for other in others), (language, group)

    def test_most_viewed_rails_show_the_synthetic_readers(self, demo, client):
        assert demo.views > 0
        for edition in ("en-us", "es-es"):
            for hours in (24, 7 * 24):
                ranked = audience_selectors.most_viewed(
                    edition=edition, hours=hours, now=timezone.now(), limit=5
                )
                assert len(ranked) == 5, (edition, hours)
                assert ranked[0].views >= ranked[-1].views > 0

        rail = client.get(
            "/_holes/shared/most-viewed/", {"lang": "en-us", "window": "24h"}
        ).content.decode()
        top = audience_selectors.most_viewed(
            edition="en-us", hours=24, now=timezone.now(), limit=1
        )[0].article
        assert top.title in rail


def test_demo_links_are_absolute_on_the_port_it_runs_on(db, media_root, client, monkeypatch):
    # What `run.py demo 8101` does: the site is set up on the port, then the content loaded.
    monkeypatch.setattr(loader, "STORIES", _small_demo())
    call_command("setup_newsroom", "--port", "8101", stdout=StringIO())
    call_command("load_demo_content", "--image-width", str(IMAGE_WIDTH), stdout=StringIO())
    spanish = _articles("es-es").get(slug="vuelve-tren-nocturno-varnholm-castellmar")
    english = spanish.get_translations().get()
    origin = "http://localhost:8101/"

    def get(path: str) -> str:
        response = client.get(path, HTTP_HOST="localhost:8101")
        assert response.status_code == 200, path
        return response.content.decode()

    html = get(english.url)
    assert f'<link rel="canonical" href="{origin}en-us/' in html
    assert f'hreflang="es-es" href="{origin}es-es/' in html.lower()
    assert f'<meta property="og:url" content="{origin}en-us/' in html
    json_ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json_ld and origin in json.dumps(json.loads(json_ld.group(1)))
    pages = [html, get("/en-us/feed/rss/"), get("/es-es/feed/atom/"), get("/sitemap.xml")]
    for text in pages:
        assert origin in text
        assert "localhost:8000" not in text and "localhost/" not in text


def test_the_demo_shows_the_designed_error_pages(client, es_world, settings):
    dev = importlib.import_module("broadsheet.settings.dev")
    assert dev.DEBUG is False
    assert dev.WHITENOISE_USE_FINDERS and dev.SERVE_MEDIA  # static files and pictures, still
    settings.DEBUG = dev.DEBUG

    response = client.get("/es-es/no-existe/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="es-es">' in html and "Página no encontrada" in html
    assert "URLconf" not in html


def test_command_skips_a_second_load_and_reloads_on_reset(editions, media_root, monkeypatch):
    monkeypatch.setattr(loader, "STORIES", _small_demo())
    out = StringIO()
    call_command("load_demo_content", "--image-width", str(IMAGE_WIDTH), stdout=out)
    assert ArticlePage.objects.live().count() == len(_small_demo())
    assert "Demo content loaded." in out.getvalue()

    out = StringIO()
    call_command("load_demo_content", stdout=out)
    assert "already loaded" in out.getvalue()
    assert ArticlePage.objects.count() == len(_small_demo())

    call_command("load_demo_content", "--reset", "--image-width", str(IMAGE_WIDTH), stdout=out)
    assert ArticlePage.objects.live().count() == len(_small_demo())
    assert not any(_tree_problems())


def test_reset_removes_only_the_demo(en_world, media_root):
    own = factories.article_publish(section=en_world, title="An editor's own story")
    loader.demo_content_load(image_width=IMAGE_WIDTH, stories=_small_demo())

    removed = loader.demo_content_reset()

    assert removed == len(_small_demo())
    assert list(ArticlePage.objects.all()) == [own]
    assert not Author.objects.filter(slug="eleanor-marsh").exists()
    assert not any(_tree_problems())
    # The homes lost their picks and can still be published from their latest revision.
    for home in EditionPage.objects.all():
        assert not home.top_stories.exists()
        home.get_latest_revision().publish()


def test_demo_adopts_a_spanish_section_made_before_it(es_world, media_root):
    # conftest's es_world is "internacional", made by services.section_ensure on its own.
    loader.demo_content_load(image_width=IMAGE_WIDTH, stories=_small_demo())

    es_world.refresh_from_db()
    world = SectionPage.objects.get(locale__language_code="en-us", slug="world")
    assert es_world.translation_key == world.translation_key
    assert SectionPage.objects.filter(locale=es_world.locale, slug="internacional").count() == 1
    night_train = _articles("es-es").get(slug="vuelve-tren-nocturno-varnholm-castellmar")
    assert night_train.get_parent().pk == es_world.pk


# --- generate_articles --------------------------------------------------------------------


def test_path_steps_follow_treebeard():
    assert bulk.path_step(1) == "0001"
    assert bulk.path_step(36) == "0010"
    assert bulk.path_step(36**4 - 1) == "ZZZZ"
    assert all(bulk.path_number(bulk.path_step(n)) == n for n in (1, 35, 36, 1295, 99999))
    with pytest.raises(ValueError):
        bulk.path_step(36**4)


@pytest.fixture
def generated(editions, media_root):
    call_command("generate_articles", "300", "--batch", "120", stdout=StringIO())
    return _articles("en-us")


def test_generated_articles_are_live_and_in_a_consistent_tree(generated, en_edition):
    assert generated.count() == 300
    assert not any(_tree_problems())
    sections = SectionPage.objects.child_of(en_edition)
    assert sections.count() == len(loader.SECTIONS["en-us"])
    assert sum(section.get_children().count() for section in sections) == 300
    assert ArticleTag.objects.count() >= 3 * 300
    for article in generated[:20]:
        assert article.article_authors.exists()
        assert article.url_path == article.get_parent().url_path + article.slug + "/"


def test_generated_articles_render_at_their_url(generated, client):
    for article in generated.order_by("?")[:15]:
        response = client.get(article.url)
        assert response.status_code == 200, article.url
        assert article.title in response.content.decode()


def test_listings_stay_ordered_after_generation(generated, en_edition, client):
    latest = list(selectors.article_list_latest(edition=en_edition)[:50])
    times = [article.first_published_at for article in latest]
    assert times == sorted(times, reverse=True)

    section = SectionPage.objects.child_of(en_edition).first()
    assert client.get(section.url).status_code == 200
    assert client.get(section.url + "?page=2").status_code == 200
    assert client.get("/en-us/").status_code == 200
    busiest = Tag.objects.order_by("-tagged_articles__id").first()
    assert client.get(f"/en-us/tag/{busiest.slug}/").status_code == 200


def test_generated_articles_are_searchable(generated, en_edition):
    # A word of a headline, one of a body paragraph and a tag name all find what holds them.
    article = generated.order_by("pk").first()
    tag = article.tags.first()
    place = article.dateline.title()
    for query in (article.title.split()[-1], place, tag.name):
        found = {page.pk for page in selectors.article_search(edition=en_edition, query=query)}
        assert article.pk in found, query
    assert not list(selectors.article_search(edition=en_edition, query="xylophonist"))


def test_generated_index_entries_are_the_backends_own(generated):
    """On PostgreSQL the generator writes the index rows itself (bulk._PostgresSearchIndexer):
    each must hold what the search backend writes for the same article on publishing."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's entries are written by the backend itself")
    columns = "title, autocomplete, strip(body), title_text, body_text"
    query = f"SELECT {columns} FROM wagtailsearch_indexentry WHERE object_id = %s"  # noqa: S608
    for article in generated.order_by("pk")[:10]:
        with connection.cursor() as cursor:
            cursor.execute(query, [str(article.pk)])
            written_in_bulk = cursor.fetchone()
            cursor.execute(
                "DELETE FROM wagtailsearch_indexentry WHERE object_id = %s", [str(article.pk)]
            )
            get_search_backend().add_bulk(ArticlePage, [ArticlePage.objects.get(pk=article.pk)])
            cursor.execute(query, [str(article.pk)])
            written_by_backend = cursor.fetchone()
        assert written_in_bulk == written_by_backend, article.pk


def test_generation_continues_a_section_that_editors_use(en_world, media_root, client):
    before = factories.article_publish(section=en_world, title="Written by hand")

    call_command("generate_articles", "50", "--batch", "20", stdout=StringIO())
    after = factories.article_publish(section=SectionPage.objects.get(pk=en_world.pk))

    assert not any(_tree_problems())
    assert SectionPage.objects.get(pk=en_world.pk).get_children().count() == 52
    assert client.get(before.url).status_code == 200
    assert client.get(after.url).status_code == 200
    # Only the existing section received the articles: none were created.
    assert SectionPage.objects.filter(locale=en_world.locale).count() == 1


def test_generation_in_the_spanish_edition(editions, media_root, client):
    call_command("generate_articles", "40", "--edition", "es-es", stdout=StringIO())

    spanish = _articles("es-es")
    assert spanish.count() == 40
    assert _articles("en-us").count() == 0
    article = spanish.first()
    assert article.get_parent().specific.title in {s.title for s in loader.SECTIONS["es-es"]}
    assert client.get(article.url).status_code == 200


def test_generation_needs_an_edition(db):
    with pytest.raises(CommandError, match="setup_newsroom"):
        call_command("generate_articles", "5", "--edition", "fr-fr", stdout=StringIO())
