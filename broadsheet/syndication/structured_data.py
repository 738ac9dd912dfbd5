"""schema.org JSON-LD for articles and edition homes, as plain dicts.

These functions take values already resolved (URLs, bylines, tags): they do no query and no
URL reversal, so they are tested on unsaved pages. The article body never goes in: search
engines get the standfirst, and gated articles say so (isAccessibleForFree, hasPart) so that the
paywall is not mistaken for cloaking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from broadsheet.newsroom.models import ArticlePage

SCHEMA_ORG = "https://schema.org"
# The element of the article template that holds the body, which a gated article withholds.
GATED_BODY_SELECTOR = ".article__body"


@dataclass(frozen=True)
class Byline:
    name: str
    url: str


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def organization(*, name: str, url: str, logo_url: str | None = None) -> dict:
    data: dict[str, object] = {
        "@type": "Organization",
        "@id": f"{url}#organization",
        "name": name,
        "url": url,
    }
    if logo_url:
        data["logo"] = {"@type": "ImageObject", "url": logo_url}
    return data


def news_article(
    *,
    article: ArticlePage,
    url: str,
    language: str,
    section_name: str | None,
    bylines: Sequence[Byline],
    keywords: Sequence[str],
    image_urls: Sequence[str],
    publisher: dict,
) -> dict:
    """A NewsArticle; `language` is a BCP 47 tag such as "en-US"."""
    free = article.is_accessible_for_free
    data: dict = {
        "@context": SCHEMA_ORG,
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.standfirst,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": language,
        "publisher": publisher,
        "isAccessibleForFree": free,
    }
    if bylines:
        data["author"] = [
            {"@type": "Person", "name": byline.name, "url": byline.url} for byline in bylines
        ]
    published = _iso(article.first_published_at)
    if published:
        data["datePublished"] = published
        data["dateModified"] = _iso(article.last_published_at) or published
    if image_urls:
        data["image"] = list(image_urls)
    if section_name:
        data["articleSection"] = section_name
    if keywords:
        data["keywords"] = list(keywords)
    if not free:
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": GATED_BODY_SELECTOR,
        }
    return data


def edition_home(
    *,
    name: str,
    alternate_name: str,
    url: str,
    language: str,
    search_url_template: str | None,
    publisher: dict,
) -> dict:
    """The WebSite of an edition home and the Organization that publishes it."""
    website: dict = {
        "@type": "WebSite",
        "@id": f"{url}#website",
        "name": name,
        "alternateName": alternate_name,
        "url": url,
        "inLanguage": language,
        "publisher": {"@id": publisher["@id"]},
    }
    if search_url_template:
        website["potentialAction"] = {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": search_url_template},
            "query-input": "required name=search_term_string",
        }
    return {"@context": SCHEMA_ORG, "@graph": [website, publisher]}
