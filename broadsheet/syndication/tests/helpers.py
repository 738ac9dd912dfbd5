"""Helpers of the syndication tests: translations, and what machines read out of a response."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import extruct
import lxml.html
from wagtail.models import Locale, Page

SITEMAP_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def translate(page: Page, language_code: str) -> Page:
    """Publish a translation of the page (and of its section, if that has none yet)."""
    translation = page.copy_for_translation(
        Locale.objects.get(language_code=language_code), copy_parents=True
    )
    translation.save_revision().publish()
    translation.refresh_from_db()
    return translation


def json_ld_of(html: str, url: str) -> list[dict]:
    return extruct.extract(html, base_url=url, syntaxes=["json-ld"], uniform=False)["json-ld"]


def open_graph_of(html: str, url: str) -> dict[str, list[str]]:
    """Every Open Graph property of the page, each with all its values in order."""
    found = extruct.extract(html, base_url=url, syntaxes=["opengraph"], uniform=False)
    properties: dict[str, list[str]] = {}
    for block in found["opengraph"]:
        for name, value in block["properties"]:
            properties.setdefault(name, []).append(value)
    return properties


def head_links_of(html: str) -> dict[str, list[dict]]:
    """The <link> elements of the page, by rel, as attribute dicts."""
    tree = lxml.html.fromstring(html)
    links: dict[str, list[dict]] = {}
    for link in tree.iter("link"):
        links.setdefault(link.get("rel"), []).append(dict(link.attrib))
    return links


def meta_names_of(html: str) -> dict[str, str]:
    tree = lxml.html.fromstring(html)
    return {meta.get("name"): meta.get("content") for meta in tree.iter("meta") if meta.get("name")}


def xml_of(content: bytes) -> ET.Element:
    return ET.fromstring(content)
