"""An article page rendered with nothing of it in the page cache (as right after a publish):
what it shows, and what it costs in queries, whatever the article carries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site
from wagtail.models.sites import get_site_for_hostname

from broadsheet.newsroom import routing
from broadsheet.newsroom.tests import factories
from broadsheet.pagecache.services import page_cache_new_generation
from broadsheet.syndication.tests.conftest import lead_image, media_root  # noqa: F401
from broadsheet.syndication.tests.helpers import translate

pytestmark = pytest.mark.django_db

# Routing the article (1), then what surrounds its body: related articles, translations,
# bylines, tags (4). The site, the edition and its sections, the rails, view restrictions and
# renditions come from the cache. Raise it only for a part the page did not show before.
COLD_ARTICLE_QUERIES = 5


@pytest.fixture
def full_article(en_world, es_world, lead_image):  # noqa: F811
    earlier = factories.article_publish(
        section=en_world, title="Earlier story", lead_image=lead_image
    )
    older = factories.article_publish(section=en_world, title="Older story")
    article = factories.article_publish(
        section=en_world,
        title="Rivers rise across the valley",
        authors=[factories.author_create(name=f"Reporter {n}") for n in range(3)],
        tags=["Floods", "California", "Weather"],
        lead_image=lead_image,
        lead_image_caption="The valley at dawn",
    )
    article.related_links.create(article=earlier, sort_order=0)
    article.related_links.create(article=older, sort_order=1)
    article.save_revision().publish()
    article.refresh_from_db()
    translate(article, "es-es")
    return article


def _cold_get(client, url: str):
    page_cache_new_generation(scope="en-us")
    page_cache_new_generation(scope="es-es")
    return client.get(url)


def test_cold_article_page_shows_every_part_in_a_fixed_number_of_queries(
    client, full_article, django_assert_max_num_queries
):
    _cold_get(client, full_article.url)  # renditions made, long-lived caches filled

    with django_assert_max_num_queries(COLD_ARTICLE_QUERIES):
        response = _cold_get(client, full_article.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Page-Cache"] != "hit"
    assert '<p class="kicker"><a href="/en-us/world/">World</a>' in html
    for n in range(3):
        assert f'href="/en-us/author/reporter-{n}/"' in html
    for slug in ("floods", "california", "weather"):
        assert f'href="/en-us/tag/{slug}/"' in html
    assert "Earlier story" in html and "Older story" in html
    assert 'hreflang="es-es"' in html and "Read this article in" in html
    assert 'alt="The valley at dawn"' in html


def test_cold_article_page_costs_the_same_with_nothing_around_it(client, en_world, full_article):
    bare = factories.article_publish(section=en_world, title="Nothing but the text")
    _cold_get(client, bare.url)
    _cold_get(client, full_article.url)

    counts = []
    for article in (bare, full_article):
        with CaptureQueriesContext(connection) as queries:
            assert _cold_get(client, article.url).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] <= COLD_ARTICLE_QUERIES


def test_the_translation_is_routed_in_its_own_edition(client, full_article):
    spanish = full_article.get_translations().get()

    html = _cold_get(client, spanish.url).content.decode()

    assert spanish.url.startswith("/es-es/")
    assert 'hreflang="en-us"' in html and "Rivers rise across the valley" in html


def test_an_article_in_a_section_outside_the_menu_is_served_with_its_section(client, en_edition):
    hidden = factories.section_create(edition=en_edition, title="Archive")
    hidden.show_in_menus = False
    hidden.save_revision().publish()
    article = factories.article_publish(section=hidden, title="From the archive")

    html = _cold_get(client, article.url).content.decode()

    assert '<p class="kicker"><a href="/en-us/archive/">Archive</a>' in html


def test_a_private_article_stays_private_and_opens_when_made_public(
    client, en_world, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world, title="Members only memo")
    assert _cold_get(client, article.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=article, restriction_type="login")
    response = _cold_get(client, article.url)
    assert response.status_code == 302 and "login" in response["Location"]

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert _cold_get(client, article.url).status_code == 200


HOSTS = [
    ("testserver", 80),
    ("testserver", 8080),
    ("news.example.org", 80),
    ("news.example.org", 8443),
    ("shop.example.org", 80),
    ("unknown.example.net", 80),
]


def _wagtail_site(hostname: str, port: int):
    try:
        return get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None


def test_sites_are_matched_as_wagtail_matches_them(editions, django_capture_on_commit_callbacks):
    root = Site.objects.get(is_default_site=True).root_page
    layouts = [
        [],
        [("news.example.org", 80)],
        [("news.example.org", 80), ("news.example.org", 8443)],
        [("news.example.org", 8443), ("shop.example.org", 80)],
    ]
    for layout in layouts:
        with django_capture_on_commit_callbacks(execute=True):
            Site.objects.filter(is_default_site=False).delete()
            for hostname, port in layout:
                Site.objects.create(hostname=hostname, port=port, root_page=root)
        for hostname, port in HOSTS:
            assert routing.site_for_hostname(hostname, port) == _wagtail_site(hostname, port), (
                layout,
                hostname,
                port,
            )

    with django_capture_on_commit_callbacks(execute=True):
        Site.objects.update(is_default_site=False)
        Site.objects.first().save()  # update() sends no signal; a save does
    assert routing.site_for_hostname("unknown.example.net", 80) is None
