"""Reads of the newsroom: every query a reader's page needs, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.models import Locale, PageViewRestriction
from wagtail.query import PageQuerySet

from .models import ArticleAuthor, ArticlePage, Author, EditionPage, SectionPage, Tag


def edition_for_language(*, language_code: str | None = None) -> EditionPage | None:
    """The live home of the edition in this language (the active one by default)."""
    code = language_code or get_language() or settings.LANGUAGE_CODE
    return (
        EditionPage.objects.live()
        .filter(locale__language_code__iexact=code)
        .select_related("locale")
        .first()
    )


CHROME_CACHE_SECONDS = 300


def chrome_cache_key(language_code: str) -> str:
    return f"newsroom:chrome:{language_code.lower()}"


def edition_chrome(*, language_code: str | None = None) -> dict:
    """What every page's header needs: the edition, its sections and all editions.

    It changes only when an edition or section is published (signals.py deletes it then), so
    it is read from the cache: one round trip instead of three queries on every page.
    """
    code = (language_code or get_language() or settings.LANGUAGE_CODE).lower()
    key = chrome_cache_key(code)
    chrome = cache.get(key)
    if chrome is None:
        edition = edition_for_language(language_code=code)
        chrome = {
            "edition": edition,
            "edition_sections": list(edition_section_list(edition=edition)) if edition else [],
            "editions": edition_list(),
        }
        cache.set(key, chrome, CHROME_CACHE_SECONDS)
    return chrome


def edition_chrome_for_request(request: HttpRequest) -> dict:
    """edition_chrome, read once per request: the router, the section lookup and the template
    context all ask for it."""
    code = (get_language() or settings.LANGUAGE_CODE).lower()
    read = request.__dict__.setdefault("_newsroom_chrome", {})
    if code not in read:
        read[code] = edition_chrome(language_code=code)
    return read[code]


def section_of(*, article: ArticlePage, edition: EditionPage, chrome: dict) -> SectionPage:
    """The article's section: from the edition's cached sections when it is one of them (the
    sections in the menu, which is where articles live), else from the database."""
    parent_path = article.path[: -ArticlePage.steplen]
    if chrome["edition"] is not None and chrome["edition"].pk == edition.pk:
        for section in chrome["edition_sections"]:
            if section.path == parent_path:
                return section
    return SectionPage.objects.get(path=parent_path)


PAGE_VIEW_RESTRICTIONS_KEY = "newsroom:page-view-restrictions"


def page_view_restrictions_exist() -> bool:
    """Whether any page is private (a Wagtail PageViewRestriction); kept in the cache until a
    restriction is saved or deleted (signals.py)."""
    exists = cache.get(PAGE_VIEW_RESTRICTIONS_KEY)
    if exists is None:
        exists = PageViewRestriction.objects.exists()
        cache.set(PAGE_VIEW_RESTRICTIONS_KEY, exists, None)
    return exists


def edition_list() -> list[EditionPage]:
    return list(EditionPage.objects.live().select_related("locale").order_by("path"))


def edition_section_list(*, edition: EditionPage) -> QuerySet[SectionPage]:
    return SectionPage.objects.child_of(edition).live().in_menu().order_by("path")


def _article_listing(queryset: PageQuerySet) -> PageQuerySet:
    """What a listing shows of each article, fetched in a fixed number of queries."""
    return (
        queryset.live()
        .public()
        .defer_streamfields()
        .select_related("lead_image")
        .prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            )
        )
        .order_by("-first_published_at", "-pk")
    )


def article_list_latest(*, edition: EditionPage) -> QuerySet[ArticlePage]:
    return _article_listing(ArticlePage.objects.filter(locale_id=edition.locale_id))


def article_list_for_section(*, section: SectionPage) -> QuerySet[ArticlePage]:
    return _article_listing(ArticlePage.objects.child_of(section))


def article_list_for_tag(*, edition: EditionPage, tag: Tag) -> QuerySet[ArticlePage]:
    return _article_listing(
        ArticlePage.objects.filter(locale_id=edition.locale_id, tagged_items__tag=tag)
    )


def article_list_for_author(*, edition: EditionPage, author: Author) -> QuerySet[ArticlePage]:
    return _article_listing(
        ArticlePage.objects.filter(locale_id=edition.locale_id, article_authors__author=author)
    )


def article_list_published_since(
    *, since: datetime, locale: Locale | None = None
) -> QuerySet[ArticlePage]:
    queryset = ArticlePage.objects.filter(first_published_at__gte=since)
    if locale is not None:
        queryset = queryset.filter(locale=locale)
    return _article_listing(queryset)


def article_search(*, edition: EditionPage, query: str):
    """Full-text search in the edition, stemmed in its language (see search_backend)."""
    queryset = ArticlePage.objects.live().filter(locale_id=edition.locale_id)
    return queryset.search(query, operator="and")


def edition_top_stories(*, edition: EditionPage) -> list[ArticlePage]:
    picks = (
        edition.top_stories.filter(article__live=True)
        .select_related("article", "article__lead_image")
        .order_by("sort_order")
    )
    return [pick.article for pick in picks]


def tag_by_slug(*, slug: str) -> Tag:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404(_("There is no tag called “%(slug)s”.") % {"slug": slug})
    return tag


def author_by_slug(*, slug: str) -> Author:
    author = Author.objects.select_related("photo").filter(slug=slug).first()
    if author is None:
        raise Http404(_("There is no author called “%(slug)s”.") % {"slug": slug})
    return author


# Deeper than this is what search and the archives by tag or author are for; an OFFSET scan
# of a hundred thousand rows on every request for page 9,000 is not.
MAX_PAGE_NUMBER = 500


@dataclass
class ListingPage:
    """One page of a listing, found without counting the whole listing.

    A count of every article of an edition is the most expensive query of a cold front page at
    100,000 articles, and readers move newer/older, never to "page 4,312 of 5,000".
    """

    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate(request: HttpRequest, items, *, per_page: int | None = None) -> ListingPage:
    """The requested page of a listing; a page number that is not one is a clear 404."""
    size = per_page or settings.NEWSROOM_PAGE_SIZE
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise Http404(_("“%(page)s” is not a page number.") % {"page": raw[:20]})
    if number > MAX_PAGE_NUMBER:
        raise Http404(_("That page number is past the end of the list."))
    offset = (number - 1) * size
    rows = list(items[offset : offset + size + 1])
    if not rows and number > 1:
        raise Http404(_("That page number is past the end of the list."))
    return ListingPage(object_list=rows[:size], number=number, has_next=len(rows) > size)


LATEST_RAIL_CACHE_SECONDS = 300


def latest_rail_cache_key(locale_id: int) -> str:
    return f"newsroom:latest-rail:{locale_id}"


def latest_rail(*, locale_id: int) -> list[dict]:
    """The edition's newest articles as plain values, for the rail on every article page.

    Every article page shows it, and it changes only when the edition publishes (signals.py
    deletes it then), so it is one cache read instead of a listing query with its bylines.
    One article more than the rail shows is kept, so that an article can leave itself out.
    """
    key = latest_rail_cache_key(locale_id)
    rail = cache.get(key)
    if rail is None:
        rows = (
            ArticlePage.objects.live()
            .public()
            .filter(locale_id=locale_id)
            .order_by("-first_published_at", "-pk")
            .only("pk", "title", "url_path", "first_published_at", "locale_id")
        )[: settings.NEWSROOM_LATEST_RAIL_SIZE + 1]
        rail = [
            {
                "pk": row.pk,
                "title": row.title,
                "url": row.get_url(),
                "first_published_at": row.first_published_at,
            }
            for row in rows
        ]
        cache.set(key, rail, LATEST_RAIL_CACHE_SECONDS)
    return rail


def article_page_context(*, article: ArticlePage) -> dict:
    """Everything around an article's body: bylines, tags, related, latest rail, translations."""
    edition_locale_id = article.locale_id
    related = [
        link.article
        for link in article.related_links.select_related("article", "article__lead_image")
        # A link to the other edition's article is an editor's mistake the admin flags; the
        # reader never sees it (an English card on a Spanish page).
        if link.article.live and link.article.locale_id == edition_locale_id
    ]
    latest = [
        item for item in latest_rail(locale_id=edition_locale_id) if item["pk"] != article.pk
    ][: settings.NEWSROOM_LATEST_RAIL_SIZE]
    translations = list(article.get_translations().live().select_related("locale"))
    return {
        "authors": [
            byline.author
            for byline in article.article_authors.select_related("author").order_by("sort_order")
        ],
        "article_tags": list(article.tags.all()),
        "related_articles": related,
        "latest_articles": latest,
        "translations": translations,
    }


# What other apps (access, audience, newsletters) read of articles: through these functions,
# never ArticlePage.objects, so what "live", "public" and "without its body" mean is decided
# here once.


def article_public_live(*, article_id: int) -> ArticlePage | None:
    """The article if it is live and public (Wagtail's view restrictions included), without
    its body, with its locale."""
    return (
        ArticlePage.objects.live()
        .public()
        .filter(pk=article_id)
        .defer_streamfields()
        .select_related("locale")
        .first()
    )


def article_with_body(*, article_id: int) -> ArticlePage:
    """The article, body and all (the caller decided the reader may have it)."""
    return ArticlePage.objects.get(pk=article_id)


def article_summary(*, article_id: int) -> ArticlePage | None:
    """The article, live or not, without its body, with its locale."""
    return (
        ArticlePage.objects.filter(pk=article_id)
        .defer_streamfields()
        .select_related("locale")
        .first()
    )


def articles_public_live_by_id(*, article_ids: list[int], language_code: str) -> dict:
    """The edition's live, public articles among these, by id, without their bodies."""
    articles = (
        ArticlePage.objects.live()
        .public()
        .filter(pk__in=article_ids)
        .filter(locale__language_code__iexact=language_code)
        .defer_streamfields()
        .select_related("locale")
    )
    return {article.pk: article for article in articles}


def article_ids_live() -> QuerySet:
    """The ids of every live article, as a subquery for another app's filter."""
    return ArticlePage.objects.live().values("pk")


def article_ids_first_published(
    *,
    language_code: str,
    since: datetime,
    until: datetime,
    limit: int,
    exclude: list[int] | None = None,
) -> list[int]:
    """The edition's live articles first published in [since, until), newest first."""
    return list(
        ArticlePage.objects.live()
        .filter(
            locale__language_code__iexact=language_code,
            first_published_at__gte=since,
            first_published_at__lt=until,
        )
        .exclude(pk__in=exclude or [])
        .order_by("-first_published_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def article_titles(*, article_ids: set[int]) -> dict[int, str]:
    return dict(ArticlePage.objects.filter(pk__in=article_ids).values_list("pk", "title"))


@dataclass(frozen=True)
class EditionMismatches:
    """What an article holds from another edition: related articles with no translation in
    its own edition yet, and tags of the other edition with no counterpart in this one."""

    related_articles: list[ArticlePage]
    tags: list[Tag]

    def __bool__(self) -> bool:
        return bool(self.related_articles or self.tags)


def article_edition_mismatches(*, article: ArticlePage) -> EditionMismatches:
    """Read from the article as the editor has it (its latest revision, in memory)."""
    locale_id = article.locale_id
    related = [link.article for link in article.related_links.all() if link.article_id]
    return EditionMismatches(
        related_articles=[other for other in related if other.locale_id != locale_id],
        tags=[
            tag
            for tag in article.tags.all()
            if tag.locale_id is not None and tag.locale_id != locale_id
        ],
    )


def author_list_for_edition(*, locale_id: int | None) -> QuerySet[Author]:
    """The authors an article of this edition may credit: its own and the shared ones."""
    shared = Author.objects.filter(locale__isnull=True)
    if locale_id is None:
        return shared
    return Author.objects.filter(models.Q(locale_id=locale_id) | models.Q(locale__isnull=True))


def tag_list_by_name(*, names: list[str]) -> QuerySet[Tag]:
    return Tag.objects.filter(name__in=names).order_by("name")
