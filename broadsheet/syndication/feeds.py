"""RSS 2.0 and Atom 1.0 feeds of an edition, a section and a tag."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from broadsheet.newsroom import selectors
from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage

FEED_SIZE = 30


class _ArticleFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def _edition(self) -> EditionPage:
        edition = selectors.edition_for_language()
        if edition is None:
            raise Http404(_("This edition does not exist."))
        return edition

    def items(self, obj):
        return list(self.articles(obj)[:FEED_SIZE])

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        # The standfirst only: the body leaves the building through the access decision alone.
        return item.standfirst

    def item_link(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request)

    def item_guid(self, item: ArticlePage) -> str:
        return item.get_full_url(self.request)

    def item_pubdate(self, item: ArticlePage):
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage):
        return item.last_published_at

    def item_author_name(self, item: ArticlePage) -> str:
        return ", ".join(byline.author.name for byline in item.article_authors.all())

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class EditionFeed(_ArticleFeed):
    def get_object(self, request, *args, **kwargs) -> EditionPage:
        return self._edition()

    def title(self, obj: EditionPage) -> str:
        return f"{obj.title} · {settings.WAGTAIL_SITE_NAME}"

    def link(self, obj: EditionPage) -> str:
        return obj.get_full_url(self.request)

    def description(self, obj: EditionPage) -> str:
        return obj.tagline or _("The latest articles of %(edition)s") % {"edition": obj.title}

    def articles(self, obj: EditionPage):
        return selectors.article_list_latest(edition=obj).prefetch_related("tagged_items__tag")


class SectionFeed(_ArticleFeed):
    def get_object(self, request, slug: str) -> SectionPage:
        return get_object_or_404(SectionPage.objects.live().child_of(self._edition()), slug=slug)

    def title(self, obj: SectionPage) -> str:
        return f"{obj.title} · {obj.get_parent().title}"

    def link(self, obj: SectionPage) -> str:
        return obj.get_full_url(self.request)

    def description(self, obj: SectionPage) -> str:
        return obj.intro or obj.title

    def articles(self, obj: SectionPage):
        return selectors.article_list_for_section(section=obj).prefetch_related("tagged_items__tag")


class TagFeed(_ArticleFeed):
    def get_object(self, request, slug: str):
        return (self._edition(), selectors.tag_by_slug(slug=slug))

    def title(self, obj) -> str:
        edition, tag = obj
        return f"{tag.name} · {edition.title}"

    def link(self, obj) -> str:
        from django.urls import reverse

        return self.request.build_absolute_uri(reverse("newsroom:tag", args=[obj[1].slug]))

    def description(self, obj) -> str:
        return _("Articles archived in %(tag)s") % {"tag": obj[1].name}

    def articles(self, obj):
        edition, tag = obj
        return selectors.article_list_for_tag(edition=edition, tag=tag).prefetch_related(
            "tagged_items__tag"
        )


def atom(feed_class: type[_ArticleFeed]) -> type[_ArticleFeed]:
    return type(
        f"Atom{feed_class.__name__}",
        (feed_class,),
        {"feed_type": Atom1Feed, "subtitle": feed_class.description},
    )
