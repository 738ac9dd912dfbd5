"""A publish can change what the access fragment says of an article: it asks again.

(What signing out does to slots and sharing flags is in account_hooks.py.)
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from broadsheet.newsroom.models import ArticlePage

from .selectors import article_facts_cache_key


@receiver(page_published, sender=ArticlePage, dispatch_uid="access-article-published")
@receiver(page_unpublished, sender=ArticlePage, dispatch_uid="access-article-unpublished")
@receiver(post_delete, sender=ArticlePage, dispatch_uid="access-article-deleted")
def _article_changed(sender, instance, **kwargs) -> None:
    """A publish can change an article's access level, URL or body: the fragment asks again."""
    key = article_facts_cache_key(instance.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
