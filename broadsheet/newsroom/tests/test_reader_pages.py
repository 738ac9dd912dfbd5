from datetime import timedelta

import pytest

from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db


def test_article_page_shows_every_part(client, en_world):
    author = factories.author_create(name="Ada Reporter")
    related = factories.article_publish(section=en_world, title="Earlier story")
    article = factories.article_publish(
        section=en_world,
        title="Rivers rise across the valley",
        standfirst="Three towns were evacuated overnight.",
        dateline="Sacramento",
        tags=["Floods", "California"],
        authors=[author],
        correction_note="An earlier version misspelled the mayor's name.",
    )
    article.related_links.create(article=related)
    article.save_revision().publish()

    response = client.get(article.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rivers rise across the valley" in html
    assert "Three towns were evacuated overnight." in html
    assert "Sacramento" in html
    assert 'href="/en-us/author/ada-reporter/"' in html
    assert 'href="/en-us/tag/floods/"' in html
    assert "An earlier version misspelled" in html
    assert "More information" in html and "Earlier story" in html
    assert "Latest news" in html


def test_updated_time_only_when_it_differs(en_world):
    article = factories.article_publish(section=en_world)
    assert not article.show_updated
    article.last_published_at = article.first_published_at + timedelta(hours=2)
    assert article.show_updated


def test_edition_home_lists_top_stories_then_latest(client, en_edition, en_world):
    older = factories.article_publish(section=en_world, title="Pinned analysis")
    newest = factories.article_publish(section=en_world, title="Breaking update")
    en_edition.top_stories.create(article=older, sort_order=0)
    en_edition.save_revision().publish()

    html = client.get("/en-us/").content.decode()

    assert html.index("Pinned analysis") < html.index("Breaking update")
    assert newest.title in html


def test_editions_do_not_mix(client, en_world, es_world):
    factories.article_publish(section=en_world, title="Only in English")
    factories.article_publish(section=es_world, title="Solo en español")

    english = client.get("/en-us/").content.decode()
    spanish = client.get("/es-es/").content.decode()

    assert "Only in English" in english and "Solo en español" not in english
    assert "Solo en español" in spanish and "Only in English" not in spanish


def test_tag_and_author_archives_paginate(client, en_world, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    author = factories.author_create(name="Bo Writer")
    for number in range(3):
        factories.article_publish(
            section=en_world, title=f"Budget story {number}", tags=["Budget"], authors=[author]
        )

    first = client.get("/en-us/tag/budget/")
    second = client.get("/en-us/tag/budget/?page=2")
    author_page = client.get("/en-us/author/bo-writer/")

    assert first.status_code == 200 and 'rel="next" href="?page=2"' in first.content.decode()
    assert "Budget story 0" in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev" href="?page=1"' in second.content.decode()
    assert author_page.status_code == 200 and "Budget story 2" in author_page.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en-us/tag/no-such-tag/",
        "/en-us/author/nobody/",
        "/en-us/world/no-such-story/",
        "/en-us/?page=abc",
        "/en-us/?page=999",
        "/en-us/?page=-1",
        "/en-us/?page=0",
        "/en-us/?page=100000",
        "/en-us/?page=1e3",
        "/xx-yy/",
    ],
)
def test_unknown_things_get_a_clear_404(client, en_world, path):
    response = client.get(path, follow=True)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_spanish_404_is_in_spanish(client, es_world):
    response = client.get("/es-es/no-existe/")
    assert response.status_code == 404
    assert "Página no encontrada" in response.content.decode()


@pytest.mark.parametrize("query", ["", "   ", "%", "'; DROP TABLE", "ñandú", "a" * 150, "\x00x"])
def test_odd_searches_never_fail(client, en_world, query):
    factories.article_publish(section=en_world, title="Harvest festival returns")
    response = client.get("/en-us/search/", {"q": query})
    # A NUL is refused before any view runs (broadsheet/request_guard.py), clearly.
    assert response.status_code == (400 if "\x00" in query else 200)


def test_too_long_search_is_refused_clearly(client, en_world):
    response = client.get("/en-us/search/", {"q": "word " * 100})
    assert response.status_code == 400
    assert "too long" in response.content.decode()


def test_search_finds_words_in_the_edition_only(client, en_world, es_world):
    factories.article_publish(section=en_world, title="Farmers harvest early")
    factories.article_publish(section=es_world, title="Farmers en España")

    english = client.get("/en-us/search/", {"q": "farmers"}).content.decode()

    assert "Farmers harvest early" in english
    assert "Farmers en España" not in english


def test_search_finds_stemmed_words_in_the_edition(client, en_world, es_world):
    factories.article_publish(
        section=en_world, title="Farmers are harvesting early", standfirst="Heat moved the date."
    )
    factories.article_publish(
        section=es_world, title="Los agricultores cosechan antes", standfirst="Calor."
    )

    english = client.get("/en-us/search/", {"q": "harvest"}).content.decode()
    spanish = client.get("/es-es/search/", {"q": "agricultores"}).content.decode()

    assert "Farmers are harvesting early" in english
    assert "Los agricultores cosechan antes" not in english
    assert "Los agricultores cosechan antes" in spanish


def _rail_of(html: str) -> str:
    start = html.find('id="latest-heading"')
    return html[start:] if start >= 0 else ""


def test_latest_rail_follows_publishing_and_leaves_out_the_article_itself(
    client, en_world, django_capture_on_commit_callbacks
):
    reading = factories.article_publish(section=en_world, title="The article being read")
    client.get(reading.url)  # fills the rail cache

    with django_capture_on_commit_callbacks(execute=True):
        fresh = factories.article_publish(section=en_world, title="Just published story")
    rail = _rail_of(client.get(reading.url).content.decode())
    assert f'href="{fresh.url}"' in rail
    assert "The article being read" not in rail

    with django_capture_on_commit_callbacks(execute=True):
        fresh.unpublish()
    assert "Just published story" not in _rail_of(client.get(reading.url).content.decode())


def test_article_routing_answers_404_for_unknown_or_draft_articles(
    client, en_world, django_capture_on_commit_callbacks
):
    article = factories.article_publish(section=en_world, title="Live story")
    assert client.get(article.url).status_code == 200
    assert client.get("/en-us/no-such-section/live-story/").status_code == 404
    assert client.get(f"{en_world.url}no-such-article/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert client.get(article.url).status_code == 404
