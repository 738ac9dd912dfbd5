"""Publishing changes what readers see: purge the page cache of the edition, after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import copy_for_translation_done, page_published, page_unpublished

from broadsheet.pagecache.services import page_cache_purge

from . import routing, selectors
from .models import ArticlePage, EditionPage, SectionPage

READER_PAGE_MODELS = (ArticlePage, SectionPage, EditionPage)


def _editions_showing(instance) -> list[str]:
    """The page's edition and every edition holding a translation of it: their pages link to
    each other (hreflang, "read this article in ..."), so a change to one is seen in all."""
    codes = (
        type(instance)
        .objects.filter(translation_key=instance.translation_key)
        .values_list("locale__language_code", flat=True)
    )
    return sorted({instance.locale.language_code.lower(), *(code.lower() for code in codes)})


def _purge_edition_of(instance, **kwargs) -> None:
    scopes = _editions_showing(instance)
    transaction.on_commit(lambda: page_cache_purge(scopes=scopes))
    rail_key = selectors.latest_rail_cache_key(instance.locale_id)
    transaction.on_commit(lambda: cache.delete(rail_key))
    if not isinstance(instance, ArticlePage):
        # Edition and section titles appear in every edition's header (the edition switcher).
        keys = [selectors.chrome_cache_key(code) for code, _name in settings.LANGUAGES]
        transaction.on_commit(lambda: cache.delete_many(keys))


for model in READER_PAGE_MODELS:
    page_published.connect(_purge_edition_of, sender=model, dispatch_uid=f"purge-pub-{model}")
    page_unpublished.connect(_purge_edition_of, sender=model, dispatch_uid=f"purge-unpub-{model}")
    post_delete.connect(_purge_edition_of, sender=model, dispatch_uid=f"purge-del-{model}")


def _forget_view_restrictions(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(selectors.PAGE_VIEW_RESTRICTIONS_KEY))


for signal in (post_save, post_delete):
    signal.connect(
        _forget_view_restrictions,
        sender=PageViewRestriction,
        dispatch_uid=f"view-restrictions-{signal is post_save}",
    )


def _forget_sites(**kwargs) -> None:
    transaction.on_commit(lambda: cache.delete(routing.SITES_CACHE_KEY))


for signal in (post_save, post_delete):
    signal.connect(_forget_sites, sender=Site, dispatch_uid=f"sites-{signal is post_save}")


def _localise_translation(sender, source_obj, target_obj, **kwargs) -> None:
    # Wagtail's Translate (CopyPageForTranslationAction) announces the copy only by this signal.
    if isinstance(target_obj.specific, ArticlePage):
        from .services import article_translation_localise

        article_translation_localise(translation=target_obj.specific)


copy_for_translation_done.connect(_localise_translation, dispatch_uid="localise-translation")
