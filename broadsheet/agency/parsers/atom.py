"""Atom (RFC 4287), with Media RSS images and rel="enclosure" links."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from xml.etree.ElementTree import tostring

from django.utils.translation import gettext as _

from ..body import html_to_text
from ..limits import limit
from .items import (
    DocumentError,
    ParsedDocument,
    ParsedImage,
    ParsedItem,
    clean_text,
    http_url,
    images_unique_by_url,
    parse_item,
    unique,
)
from .rss import DC, MEDIA
from .xml import child, children, load, text_of

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"


def parse(data: bytes) -> ParsedDocument:
    root = load(data)
    if root.tag == "rss":
        raise DocumentError(_("This is an RSS feed, not Atom: set the source's format to RSS."))
    if root.tag == f"{{{ATOM}}}entry":
        entries = [root]
    elif root.tag == f"{{{ATOM}}}feed":
        entries = children(root, ATOM, "entry")
    else:
        raise DocumentError(
            _("This is not an Atom feed (no <feed> root element in the Atom namespace).")
        )
    return ParsedDocument(
        entries=[
            parse_item(
                position,
                lambda element=element: _entry(element),
                clean_text(text_of(child(element, ATOM, "id")), name="id"),
            )
            for position, element in enumerate(entries, start=1)
        ]
    )


def _content(element) -> str:
    """An Atom text construct as HTML, whatever its type."""
    if element is None:
        return ""
    kind = element.get("type", "text")
    if kind == "xhtml":
        div = child(element, XHTML, "div")
        if div is None:
            return ""
        markup = tostring(div, encoding="unicode", default_namespace=XHTML)
        return markup
    if kind == "html":
        return text_of(element)
    return "".join(
        f"<p>{html.escape(paragraph.strip())}</p>"
        for paragraph in text_of(element).split("\n\n")
        if paragraph.strip()
    )


def _entry(element) -> ParsedItem:
    summary_html = _content(child(element, ATOM, "summary"))
    body = _content(child(element, ATOM, "content")) or summary_html
    links = children(element, ATOM, "link")
    alternate = next(
        (link.get("href", "") for link in links if link.get("rel", "alternate") == "alternate"),
        "",
    )
    images = []
    for node in element:  # in document order: the first picture is the lead
        if node.tag == f"{{{ATOM}}}link":
            if node.get("rel") == "enclosure" and node.get("type", "").startswith("image/"):
                images.append(
                    ParsedImage(
                        url=http_url(node.get("href", "")),
                        caption=clean_text(node.get("title", ""), name="title")[:300],
                    )
                )
        elif node.tag == f"{{{MEDIA}}}content" and (
            node.get("medium") == "image" or node.get("type", "").startswith("image/")
        ):
            images.append(
                ParsedImage(
                    url=http_url(node.get("url", "")),
                    caption=clean_text(
                        text_of(child(node, MEDIA, "description")), name="media:description"
                    )[:300],
                    credit=clean_text(text_of(child(node, MEDIA, "credit")), name="media:credit")[
                        :120
                    ],
                )
            )
    images = list(images_unique_by_url([i for i in images if i.url], max_count=len(images)))
    updated = clean_text(text_of(child(element, ATOM, "updated")), name="updated")
    published = clean_text(text_of(child(element, ATOM, "published")), name="published")
    return ParsedItem(
        guid=clean_text(text_of(child(element, ATOM, "id")), name="id"),
        version=updated[:64],
        headline=clean_text(html_to_text(_content(child(element, ATOM, "title"))), name="title"),
        summary=html_to_text(summary_html) or html_to_text(body),
        body_html=body,
        dateline=clean_text(text_of(child(element, DC, "coverage")), name="dc:coverage")[:80],
        bylines=unique(
            [
                clean_text(text_of(child(author, ATOM, "name")), name="author")
                for author in children(element, ATOM, "author")
            ],
            max_count=limit("MAX_AUTHORS_PER_ITEM"),
        ),
        subjects=unique(
            [
                clean_text(c.get("label") or c.get("term"), name="category")[:100]
                for c in children(element, ATOM, "category")
            ],
            max_count=limit("MAX_TAGS_PER_ITEM"),
        ),
        link=http_url(alternate),
        images=tuple(images)[: limit("MAX_IMAGES_PER_ITEM")],
        published_at=_date(published or updated),
    )


def _date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
