"""What goes in the <head> of a reader's page for other machines: canonical and hreflang links,
Open Graph and Twitter cards, schema.org JSON-LD.

Built from what the page's template context already holds (bylines, tags, translations, the
edition and its locale), so that it costs at most a query or two beyond the page itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings
from django.http import HttpRequest
from django.template import Context
from django.urls import reverse
from django.utils import translation
from wagtail.images.models import SourceImageIOError
from wagtail.models import Locale, Page

from broadsheet.newsroom.models import ArticlePage, EditionPage

from . import structured_data
from .page_urls import PageUrls

# The same crop as the article template's lead image, so the rendition is made once.
SHARE_IMAGE_SPEC = "fill-1200x675"


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    url: str


@dataclass
class HeadMeta:
    canonical: str
    alternates: list[Alternate] = field(default_factory=list)
    # <meta property="..." content="..."> (Open Graph); a property may repeat (article:tag).
    properties: list[tuple[str, str]] = field(default_factory=list)
    # <meta name="..." content="..."> (Twitter).
    names: list[tuple[str, str]] = field(default_factory=list)
    json_ld: dict | None = None


def bcp47(language_code: str) -> str:
    """Spell a language code the way hreflang and inLanguage do: en-us becomes en-US."""
    return translation.to_locale(language_code).replace("_", "-")


def open_graph_locale(language_code: str) -> str:
    """Spell a language code the way Open Graph does: en-us becomes en_US."""
    return translation.to_locale(language_code)


def _locale_of(page: Page, edition: EditionPage | None) -> Locale:
    # The edition in the context was fetched with its locale; the page's own is one query more.
    if edition is not None and edition.locale_id == page.locale_id:
        return edition.locale
    return page.locale


def _reverse_in(language_code: str, name: str, *args) -> str:
    with translation.override(language_code):
        return reverse(name, args=args)


def _alternates(
    page: Page, language_code: str, url: str, translations: list[Page], page_urls: PageUrls
) -> list[Alternate]:
    versions = [(language_code, url)]
    for other in translations:
        other_url = page_urls.url(other.url_path)
        if other_url is not None:
            versions.append((other.locale.language_code, other_url))
    alternates = [Alternate(bcp47(code), version_url) for code, version_url in versions]
    # Readers whose language no edition speaks get the version in the site's default language.
    default_url = next(
        (version_url for code, version_url in versions if code == settings.LANGUAGE_CODE), url
    )
    alternates.append(Alternate("x-default", default_url))
    return alternates


def _share_image_url(article: ArticlePage, base_url: str) -> str | None:
    if article.lead_image is None:
        return None
    try:
        rendition = article.lead_image.get_rendition(SHARE_IMAGE_SPEC)
    except SourceImageIOError:
        # A missing original must not take the article down; the card goes without a picture.
        return None
    return urljoin(base_url, rendition.url)


def head_meta(
    page: Page, *, request: HttpRequest | None, context: Mapping | Context
) -> HeadMeta | None:
    """The head links and cards of an article, section or edition home; None if it has no URL.

    `context` is the page's template context: its `edition`, and for an article its `authors`,
    `article_tags` and `translations` (see newsroom.selectors.article_page_context).
    """
    page_urls = PageUrls.for_request(request)
    url = page_urls.url(page.url_path)
    if url is None:
        return None
    language_code = _locale_of(page, context.get("edition")).language_code
    translations = context.get("translations")
    if translations is None:
        translations = list(page.get_translations().live().select_related("locale"))

    meta = HeadMeta(
        canonical=url,
        alternates=_alternates(page, language_code, url, translations, page_urls),
    )
    meta.properties += [
        ("og:site_name", settings.WAGTAIL_SITE_NAME),
        ("og:url", url),
        ("og:locale", open_graph_locale(language_code)),
    ]
    meta.properties += [
        ("og:locale:alternate", open_graph_locale(other.locale.language_code))
        for other in translations
    ]
    publisher = structured_data.organization(name=settings.WAGTAIL_SITE_NAME, url=urljoin(url, "/"))
    if isinstance(page, ArticlePage):
        _add_article(meta, page, language_code, context, publisher)
    else:
        _add_front(meta, page, language_code, publisher)
        _name_listing_page(meta, context.get("latest_page"))
    return meta


def _name_listing_page(meta: HeadMeta, page_obj) -> None:
    """Page 2 of a listing is its own page, not a copy of page 1: it names itself as canonical
    (and og:url), and has no translation to point at (the other edition's page 2 lists other
    stories)."""
    number = getattr(page_obj, "number", 1)
    if number <= 1:
        return
    meta.canonical = f"{meta.canonical}?page={number}"
    meta.properties = [
        ("og:url", meta.canonical) if name == "og:url" else (name, content)
        for name, content in meta.properties
    ]
    meta.alternates = []


def _add_article(
    meta: HeadMeta,
    article: ArticlePage,
    language_code: str,
    context: Mapping | Context,
    publisher: dict,
) -> None:
    url = meta.canonical
    authors = context.get("authors")
    if authors is None:
        authors = [
            byline.author
            for byline in article.article_authors.select_related("author").order_by("sort_order")
        ]
    tags = context.get("article_tags")
    if tags is None:
        tags = list(article.tags.all())
    bylines = [
        structured_data.Byline(
            name=author.name,
            url=urljoin(url, _reverse_in(language_code, "newsroom:author", author.slug)),
        )
        for author in authors
    ]
    # get_parent() caches on the page, and the article template asks for it again.
    section = article.get_parent()
    section_name = section.title if section is not None else None
    image_url = _share_image_url(article, url)

    meta.properties += [
        ("og:type", "article"),
        ("og:title", article.seo_title or article.title),
        ("og:description", article.standfirst),
    ]
    if image_url and article.lead_image is not None:
        meta.properties += [
            ("og:image", image_url),
            ("og:image:alt", article.lead_image_caption or article.lead_image.title),
        ]
    if article.first_published_at:
        meta.properties.append(("article:published_time", article.first_published_at.isoformat()))
    if article.last_published_at:
        meta.properties.append(("article:modified_time", article.last_published_at.isoformat()))
    if section_name:
        meta.properties.append(("article:section", section_name))
    meta.properties += [("article:author", byline.url) for byline in bylines]
    meta.properties += [("article:tag", tag.name) for tag in tags]
    meta.names.append(("twitter:card", "summary_large_image" if image_url else "summary"))

    meta.json_ld = structured_data.news_article(
        article=article,
        url=url,
        language=bcp47(language_code),
        section_name=section_name,
        bylines=bylines,
        keywords=[tag.name for tag in tags],
        image_urls=[image_url] if image_url else [],
        publisher=publisher,
    )


def _add_front(meta: HeadMeta, page: Page, language_code: str, publisher: dict) -> None:
    description = (
        getattr(page, "tagline", "") or getattr(page, "intro", "") or page.search_description
    )
    meta.properties += [("og:type", "website"), ("og:title", page.seo_title or page.title)]
    if description:
        meta.properties.append(("og:description", description))
    meta.names.append(("twitter:card", "summary"))
    if isinstance(page, EditionPage):
        search_path = _reverse_in(language_code, "newsroom:search")
        meta.json_ld = structured_data.edition_home(
            name=settings.WAGTAIL_SITE_NAME,
            alternate_name=page.title,
            url=meta.canonical,
            language=bcp47(language_code),
            search_url_template=urljoin(meta.canonical, search_path) + "?q={search_term_string}",
            publisher=publisher,
        )
