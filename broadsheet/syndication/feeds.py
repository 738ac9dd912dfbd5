"""RSS 2.0 and Atom 1.0 feeds of an edition, a section and a tag.

A feed carries each article's headline, standfirst, bylines, tags and dates, never its body: the
body leaves the building only through the access decision.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.query import PageQuerySet

from broadsheet.newsroom import selectors
from broadsheet.newsroom.models import ArticlePage, ArticleTag, EditionPage, SectionPage, Tag

from .page_urls import PageUrls

FEED_SIZE = 30
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class FeedSource:
    """What a feed is about, resolved once per request."""

    edition: EditionPage
    edition_url: str
    section: SectionPage | None = None
    tag: Tag | None = None

    @property
    def the_section(self) -> SectionPage:
        """The section of a section feed (set by its get_object)."""
        if self.section is None:
            raise Http404
        return self.section

    @property
    def the_tag(self) -> Tag:
        """The tag of a tag feed (set by its get_object)."""
        if self.tag is None:
            raise Http404
        return self.tag


class _RssWithBylines(Rss201rev2Feed):
    """RSS 2.0 with one dc:creator per author: <author> is for an email address."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        for name, _link in item["bylines"]:
            handler.addQuickElement("dc:creator", name)


class _AtomWithBylines(Atom1Feed):
    """Atom 1.0 with one <author> (name and author page) per byline."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        for name, link in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")


def _with_bylines_and_tags(queryset: PageQuerySet) -> PageQuerySet:
    # Listings already prefetch bylines; tags come in one more query for the whole feed.
    return queryset.prefetch_related(
        Prefetch("tagged_items", queryset=ArticleTag.objects.select_related("tag"))
    )


class _ArticleFeed(Feed):
    feed_type = _RssWithBylines
    # Set on the per-request copy (__call__) and by get_object.
    request: HttpRequest
    page_urls: PageUrls
    source: FeedSource

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The URLconf holds one instance for every request and thread; work on a copy so that
        # what one request resolves (its request, its edition) is never seen by another.
        feed = copy.copy(self)
        feed.request = request
        feed.page_urls = PageUrls.for_request(request)
        return Feed.__call__(feed, request, *args, **kwargs)

    def _source(self) -> FeedSource:
        edition = selectors.edition_for_language()
        if edition is None:
            raise Http404(_("This edition does not exist."))
        # The feed speaks the language of its edition (RSS <language>, Atom xml:lang).
        self.language = edition.locale.language_code
        edition_url = self.page_urls.url(edition.url_path)
        if edition_url is None:
            raise Http404(_("This edition does not exist."))
        return FeedSource(edition=edition, edition_url=edition_url)

    def _edition_path(self, name: str, *args) -> str:
        return urljoin(self.source.edition_url, reverse(name, args=args))

    def get_object(self, request: HttpRequest, *args, **kwargs) -> FeedSource:
        self.source = self._source()
        return self.source

    def author_name(self, obj: FeedSource) -> str:
        # Atom wants an author for entries without a byline; the publication is that author.
        return settings.WAGTAIL_SITE_NAME

    def items(self, obj: FeedSource) -> list[ArticlePage]:
        # A feed is read by anyone: nothing behind a page view restriction goes in.
        return list(_with_bylines_and_tags(self.articles(obj).public())[:FEED_SIZE])

    def articles(self, obj: FeedSource) -> PageQuerySet:
        raise NotImplementedError

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        # RSS and Atom (type="html") read the description as HTML; the standfirst is plain text.
        return escape(item.standfirst)

    def item_link(self, item: ArticlePage) -> str:
        return self.page_urls.url(item.url_path) or self.source.edition_url

    def item_guid(self, item: ArticlePage) -> str:
        # A tag URI (RFC 4151) on the page id: fixing a slug or moving the article to another
        # section must not make readers' apps show it again as a new story.
        host = urlsplit(self.source.edition_url).hostname or "localhost"
        day = (item.first_published_at or timezone.now()).date()
        return f"tag:{host},{day.isoformat()}:article:{item.pk}"

    def item_guid_is_permalink(self, item: ArticlePage) -> bool:
        return False

    def item_pubdate(self, item: ArticlePage) -> datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: ArticlePage) -> datetime | None:
        return item.last_published_at

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [tagged.tag.name for tagged in item.tagged_items.all()]

    def item_extra_kwargs(self, item: ArticlePage) -> dict:
        bylines = [
            (byline.author.name, self._edition_path("newsroom:author", byline.author.slug))
            for byline in item.article_authors.all()
        ]
        return {"bylines": bylines}


class EditionFeed(_ArticleFeed):
    def title(self, obj: FeedSource) -> str:
        return _("%(edition)s · %(site)s") % {
            "edition": obj.edition.title,
            "site": settings.WAGTAIL_SITE_NAME,
        }

    def link(self, obj: FeedSource) -> str:
        return obj.edition_url

    def description(self, obj: FeedSource) -> str:
        return obj.edition.tagline or _("The latest articles of %(edition)s") % {
            "edition": obj.edition.title
        }

    def articles(self, obj: FeedSource) -> PageQuerySet:
        return selectors.article_list_latest(edition=obj.edition)


class SectionFeed(_ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> FeedSource:
        source = self._source()
        section = get_object_or_404(SectionPage.objects.live().child_of(source.edition), slug=slug)
        self.source = replace(source, section=section)
        return self.source

    def title(self, obj: FeedSource) -> str:
        return _("%(section)s · %(edition)s") % {
            "section": obj.the_section.title,
            "edition": obj.edition.title,
        }

    def link(self, obj: FeedSource) -> str:
        return self.page_urls.url(obj.the_section.url_path) or obj.edition_url

    def description(self, obj: FeedSource) -> str:
        return obj.the_section.intro or _("The latest articles in %(section)s") % {
            "section": obj.the_section.title
        }

    def articles(self, obj: FeedSource) -> PageQuerySet:
        return selectors.article_list_for_section(section=obj.the_section)


class TagFeed(_ArticleFeed):
    def get_object(self, request: HttpRequest, slug: str) -> FeedSource:
        self.source = replace(self._source(), tag=selectors.tag_by_slug(slug=slug))
        return self.source

    def title(self, obj: FeedSource) -> str:
        return _("%(tag)s · %(edition)s") % {"tag": obj.the_tag.name, "edition": obj.edition.title}

    def link(self, obj: FeedSource) -> str:
        return self._edition_path("newsroom:tag", obj.the_tag.slug)

    def description(self, obj: FeedSource) -> str:
        return _("Articles archived in %(tag)s") % {"tag": obj.the_tag.name}

    def articles(self, obj: FeedSource) -> PageQuerySet:
        return selectors.article_list_for_tag(edition=obj.edition, tag=obj.the_tag)


def atom(feed_class: type[_ArticleFeed]) -> type[_ArticleFeed]:
    """The Atom 1.0 twin of an RSS feed class; Atom's subtitle is RSS's description."""
    return type(
        f"Atom{feed_class.__name__}",
        (feed_class,),
        {"feed_type": _AtomWithBylines, "subtitle": feed_class.description},
    )
