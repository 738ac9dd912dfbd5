"""An editor translates an article into the other edition: its related articles and tags come
across as that edition's, what has no counterpart is flagged and refused on save, and the
author list offers only that edition's authors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from broadsheet.newsroom import services
from broadsheet.newsroom.models import ArticlePage, Author, RelatedArticle, Tag
from broadsheet.newsroom.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, editions):
    user = django_user_model.objects.create_user("editor", password="a-long-password-2")
    user.groups.add(Group.objects.get(name=services.EDITORS))
    return user


@pytest.fixture
def es_world(en_world, es_edition):
    """España's World section as Wagtail's translation of the US one, as the newsroom sets
    them up: Translate places an article's copy under its section's translation."""
    section = en_world.copy_for_translation(es_edition.locale)
    section.title = "Internacional"
    section.slug = "internacional"
    section.save_revision().publish()
    return section.specific_class.objects.get(pk=section.pk)


def _translate(client, article: ArticlePage, locale: Locale) -> ArticlePage:
    response = client.post(
        f"/admin/translation/submit/page/{article.pk}/", {"locales": [locale.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return ArticlePage.objects.get(translation_key=article.translation_key, locale=locale)


def _with_related(article: ArticlePage, *others: ArticlePage) -> ArticlePage:
    for order, other in enumerate(others):
        RelatedArticle.objects.create(page=article, article=other, sort_order=order)
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def test_translating_maps_related_articles_and_tags_and_keeps_the_rest_flagged(
    client, editor, en_world, es_world, en_edition, es_edition
):
    en, es = en_edition.locale, es_edition.locale
    drought = Tag.objects.create(name="Drought", slug="drought", locale=en)
    sequia = Tag.objects.create(name="Sequía", slug="sequia", locale=es)
    drought.counterparts.add(sequia)
    Tag.objects.create(name="Reservoirs", slug="reservoirs", locale=en)
    Tag.objects.create(name="NATO", slug="nato")
    translated_story = factories.article_publish(section=en_world, title="Dams run dry")
    spanish_story = factories.article_publish(
        section=es_world,
        title="Los embalses se secan",
        translation_key=translated_story.translation_key,
    )
    english_only = factories.article_publish(section=en_world, title="Farmers wait for rain")
    original = factories.article_publish(
        section=en_world, title="The long drought", tags=["Drought", "Reservoirs", "NATO"]
    )
    original = _with_related(original, translated_story, english_only)
    client.force_login(editor)

    translation = _translate(client, original, es)

    linked = [link.article_id for link in translation.related_links.order_by("sort_order")]
    assert linked == [spanish_story.pk, english_only.pk]
    assert sorted(tag.name for tag in translation.tags.all()) == ["NATO", "Reservoirs", "Sequía"]
    # The draft the editor opens (the latest revision) is the mapped one.
    draft = translation.get_latest_revision_as_object()
    assert [link.article_id for link in draft.related_links.all()] == linked
    editor_page = client.get(f"/admin/pages/{translation.pk}/edit/").content.decode()
    assert f'data-related-untranslated="{english_only.pk}"' in editor_page
    assert f'data-related-untranslated="{spanish_story.pk}"' not in editor_page
    assert 'data-tag-foreign="' in editor_page and "Reservoirs" in editor_page


def test_a_translation_without_foreign_parts_shows_no_flag(
    client, editor, en_world, es_world, es_edition
):
    original = factories.article_publish(section=en_world, title="Quiet day", tags=[])
    client.force_login(editor)

    translation = _translate(client, original, es_edition.locale)

    editor_page = client.get(f"/admin/pages/{translation.pk}/edit/").content.decode()
    assert "data-edition-check" not in editor_page


def _edit_form(article: ArticlePage, user, **changes):
    page = article.get_latest_revision_as_object()
    form_class = ArticlePage.get_edit_handler().get_form_class()
    related = changes.pop("related", [link.article_id for link in page.related_links.all()])
    data = nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "standfirst": page.standfirst,
            "dateline": "",
            "lead_image": "",
            "lead_image_caption": "",
            "lead_image_credit": "",
            "body": streamfield([]),
            "tags": changes.pop("tags", ", ".join(tag.name for tag in page.tags.all())),
            "article_authors": inline_formset(changes.pop("authors", [])),
            "related_links": inline_formset([{"article": pk} for pk in related]),
            "correction_note": "",
            "corrected_at": "",
            "access_level": page.access_level,
            "comments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
        }
    )
    return form_class(data, instance=page, parent_page=page.get_parent(), for_user=user)


def test_saving_with_an_other_editions_related_article_or_tag_is_refused(
    editor, en_world, es_world, en_edition
):
    Tag.objects.create(name="Reservoirs", slug="reservoirs", locale=en_edition.locale)
    english_only = factories.article_publish(section=en_world, title="Farmers wait for rain")
    spanish = factories.article_publish(section=es_world, title="Sequía en el sur")

    refused = _edit_form(spanish, editor, related=[english_only.pk], tags="Reservoirs")
    accepted = _edit_form(spanish, editor, related=[], tags="NATO")

    assert not refused.is_valid()
    related_errors = refused.formsets["related_links"].forms[0].errors["article"]
    assert "Farmers wait for rain" in related_errors[0]
    assert "Reservoirs" in refused.errors["tags"][0]
    assert accepted.is_valid(), (accepted.errors, [f.errors for f in accepted.formsets.values()])


def test_the_author_list_offers_the_editions_own_and_shared_authors(
    client, editor, en_world, es_world, en_edition, es_edition
):
    factories.author_create(name="Ana Pérez", locale=es_edition.locale)
    factories.author_create(name="John Smith", locale=en_edition.locale)
    factories.author_create(name="Wire Desk")
    spanish = factories.article_publish(section=es_world, title="Sequía en el sur")
    english = factories.article_publish(section=en_world, title="Drought in the south")
    client.force_login(editor)

    spanish_editor = client.get(f"/admin/pages/{spanish.pk}/edit/").content.decode()
    english_editor = client.get(f"/admin/pages/{english.pk}/edit/").content.decode()
    john = Author.objects.get(name="John Smith")
    refused = _edit_form(spanish, editor, authors=[{"author": john.pk}], related=[])

    assert "Ana Pérez" in spanish_editor and "Wire Desk" in spanish_editor
    assert "John Smith" not in spanish_editor
    assert "John Smith" in english_editor and "Ana Pérez" not in english_editor
    assert not refused.is_valid()
    assert "author" in refused.formsets["article_authors"].forms[0].errors


def test_the_reader_never_sees_a_related_card_of_the_other_edition(client, en_world, es_world):
    english_only = factories.article_publish(section=en_world, title="Farmers wait for rain")
    spanish = factories.article_publish(section=es_world, title="Sequía en el sur")
    _with_related(spanish, english_only)

    html = client.get(spanish.url).content.decode()

    assert "Farmers wait for rain" not in html
