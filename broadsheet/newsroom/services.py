"""Writes of the newsroom: editions, sections, roles and the editorial workflow."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import ArticlePage, EditionPage, SectionPage, Tag

REPORTERS = "Reporters"
EDITORS = "Editors"
ADMINS = "Admins"
EDITORIAL_WORKFLOW = "Editorial review"

# Page permissions per role, granted on every edition home (and so on all it contains).
ROLE_PAGE_PERMISSIONS = {
    REPORTERS: ["add_page", "change_page"],
    EDITORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page"],
    ADMINS: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "delete_page",
        "bulk_delete_page",
    ],
}
# Model permissions per role: the admin itself, the image library, authors and tags.
ROLE_MODEL_PERMISSIONS = {
    REPORTERS: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "newsroom.add_tag",
        "newsroom.view_author",
        "newsroom.view_tag",
    ],
    EDITORS: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "newsroom.add_author",
        "newsroom.change_author",
        "newsroom.view_author",
        "newsroom.add_tag",
        "newsroom.change_tag",
        "newsroom.view_tag",
        "audience.view_audience",
        # Translate an article into the other edition (wagtail.contrib.simple_translation).
        "simple_translation.submit_translation",
    ],
    ADMINS: [
        "wagtailadmin.access_admin",
        "audience.view_audience",
        "access.manage_sharing",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.delete_image",
        "wagtailimages.choose_image",
        "newsroom.add_author",
        "newsroom.change_author",
        "newsroom.delete_author",
        "newsroom.view_author",
        "newsroom.add_tag",
        "newsroom.change_tag",
        "newsroom.delete_tag",
        "newsroom.view_tag",
        "wagtailcore.add_locale",
        "wagtailcore.change_locale",
        "simple_translation.submit_translation",
    ],
}


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def editions_setup(*, hostname: str | None = None, port: int | None = None) -> list[EditionPage]:
    """Make sure every configured edition has its locale and live home; idempotent.

    The first edition's home is the site root; the others are its translations, which is how
    Wagtail serves /es-es/ from the same site.
    """
    # Wagtail's own welcome page is not part of a newsroom.
    Page.objects.filter(
        depth=2, content_type__app_label="wagtailcore", content_type__model="page"
    ).delete()
    editions: list[EditionPage] = []
    first_home: EditionPage | None = None
    for config in settings.BROADSHEET_EDITIONS:
        locale, _created = Locale.objects.get_or_create(language_code=config["language"])
        home = EditionPage.objects.filter(locale=locale, depth=2).first()
        if home is None and first_home is None:
            home = EditionPage(
                title=config["name"], slug="home", currency=config["currency"], locale=locale
            )
            Page.get_first_root_node().add_child(instance=home)
        elif home is None:
            assert first_home is not None  # the branch above made the first
            home = first_home.copy_for_translation(locale)
            home.title = config["name"]
            home.currency = config["currency"]
            home.tagline = ""
            home.save()
        if not home.live or home.has_unpublished_changes:
            home.save_revision().publish()
        first_home = first_home or home
        editions.append(home)

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.root_page = first_home
    # The site's host and port make every absolute URL (feeds, sitemaps, canonical links).
    site.hostname = hostname or site.hostname or "localhost"
    site.port = port or site.port or 80
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()
    return editions


@transaction.atomic
def section_ensure(*, edition: EditionPage, title: str, slug: str, intro: str = "") -> SectionPage:
    section = SectionPage.objects.child_of(edition).filter(slug=slug).first()
    if section is None:
        section = SectionPage(title=title, slug=slug, intro=intro, show_in_menus=True)
        edition.add_child(instance=section)
        section.save_revision().publish()
    return section


@transaction.atomic
def roles_setup(*, editions: list[EditionPage]) -> dict[str, Group]:
    """The reporter, editor and admin groups, their permissions and the editorial workflow."""
    groups = {}
    for name, page_permissions in ROLE_PAGE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(p) for p in ROLE_MODEL_PERMISSIONS[name]])
        for edition in editions:
            for codename in page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=edition, permission=_permission(f"wagtailcore.{codename}")
                )
        # Image permissions are granted per collection in Wagtail: on the root, so on all.
        for dotted in ROLE_MODEL_PERMISSIONS[name]:
            if dotted.startswith("wagtailimages."):
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=Collection.get_first_root_node(),
                    permission=_permission(dotted),
                )
        groups[name] = group

    workflow, _created = Workflow.objects.get_or_create(name=EDITORIAL_WORKFLOW)
    task, _created = GroupApprovalTask.objects.get_or_create(name="Editor approval")
    task.groups.set([groups[EDITORS], groups[ADMINS]])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for edition in editions:
        WorkflowPage.objects.update_or_create(page=edition, defaults={"workflow": workflow})
    return groups


def article_translation_localise(*, translation: ArticlePage) -> None:
    """Point a fresh translation's related articles and tags at its own edition's.

    Wagtail's Translate copies the original's related links and tags as they are: English
    cards and tags on a Spanish draft. Each related article is replaced by its translation in
    the new edition where one exists, each tag by its counterpart there; what has none stays
    on the draft for the editor to decide, flagged in the editor (EditionCheckPanel) and
    refused on save (ArticlePageForm) until it is resolved. The copy's revision is rewritten
    in place, so the editor opens the mapped draft.
    """
    article = ArticlePage.objects.get(pk=translation.pk)
    locale_id = article.locale_id
    links = list(article.related_links.select_related("article"))
    foreign = [link for link in links if link.article.locale_id != locale_id]
    counterparts = {
        page.translation_key: page
        for page in ArticlePage.objects.filter(
            translation_key__in=[link.article.translation_key for link in foreign],
            locale_id=locale_id,
        )
    }
    for link in foreign:
        counterpart = counterparts.get(link.article.translation_key)
        if counterpart is not None and counterpart.pk != article.pk:
            link.article = counterpart
    article.related_links.set(links)

    tags = list(article.tags.all())
    mapped = [_tag_in_edition(tag, locale_id=locale_id) for tag in tags]
    if mapped != tags:
        article.tags.set(mapped)

    article.save(clean=False)
    revision = article.latest_revision
    if revision is not None:
        revision.content = article.serializable_data()
        revision.save(update_fields=["content"])


def _tag_in_edition(tag: Tag, *, locale_id: int) -> Tag:
    if tag.locale_id is None or tag.locale_id == locale_id:
        return tag
    return tag.counterparts.filter(locale_id=locale_id).order_by("pk").first() or tag
