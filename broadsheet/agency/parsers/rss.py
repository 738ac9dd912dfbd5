"""RSS 2.0, with the extensions agencies use: content:encoded, dc:creator, Media RSS."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

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
    parse_item,
    unique,
)
from .xml import child, children, load, local, text_of

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
ATOM = "http://www.w3.org/2005/Atom"


def parse(data: bytes) -> ParsedDocument:
    root = load(data)
    if local(root.tag) == "feed":
        raise DocumentError(_("This is an Atom feed, not RSS: set the source's format to Atom."))
    if root.tag != "rss":
        raise DocumentError(_("This is not an RSS feed (no <rss> root element)."))
    channel = root.find("channel")
    if channel is None:
        raise DocumentError(_("The RSS feed has no <channel>."))
    return ParsedDocument(
        entries=[
            parse_item(position, lambda element=element: _item(element), _guid(element))
            for position, element in enumerate(channel.findall("item"), start=1)
        ]
    )


def _guid(element) -> str:
    return clean_text(text_of(element.find("guid")), name="guid") or http_url(
        text_of(element.find("link"))
    )


def _item(element) -> ParsedItem:
    description = text_of(element.find("description"))
    encoded = text_of(child(element, CONTENT, "encoded"))
    body = encoded or description
    summary = html_to_text(description) if encoded else ""
    if not summary:
        summary = html_to_text(body)
    bylines = [clean_text(text_of(e), name="dc:creator") for e in children(element, DC, "creator")]
    # RSS's own <author> is an email address, often "email (Name)".
    for author in element.findall("author"):
        value = clean_text(text_of(author), name="author")
        if "(" in value and value.endswith(")"):
            value = value[value.index("(") + 1 : -1].strip()
        bylines.append(value)
    return ParsedItem(
        guid=_guid(element),
        version=clean_text(text_of(child(element, ATOM, "updated")), name="atom:updated")[:64],
        headline=clean_text(html.unescape(text_of(element.find("title"))), name="title"),
        summary=summary,
        body_html=body,
        bylines=unique(bylines, max_count=limit("MAX_AUTHORS_PER_ITEM")),
        dateline=clean_text(text_of(child(element, DC, "coverage")), name="dc:coverage")[:80],
        subjects=unique(
            [clean_text(text_of(c), name="category")[:100] for c in element.findall("category")],
            max_count=limit("MAX_TAGS_PER_ITEM"),
        ),
        link=http_url(text_of(element.find("link"))),
        images=tuple(_images(element))[: limit("MAX_IMAGES_PER_ITEM")],
        published_at=_date(text_of(element.find("pubDate"))),
    )


def _images(element):
    seen = set()
    contents = children(element, MEDIA, "content")
    for group in children(element, MEDIA, "group"):
        contents += children(group, MEDIA, "content")
    for content in contents:
        url = http_url(content.get("url", ""))
        is_image = content.get("medium") == "image" or content.get("type", "").startswith("image/")
        if url and is_image and url not in seen:
            seen.add(url)
            yield ParsedImage(
                url=url,
                caption=clean_text(
                    text_of(child(content, MEDIA, "description"))
                    or text_of(child(content, MEDIA, "title")),
                    name="media:description",
                )[:300],
                credit=clean_text(text_of(child(content, MEDIA, "credit")), name="media:credit")[
                    :120
                ],
            )
    for enclosure in element.findall("enclosure"):
        url = http_url(enclosure.get("url", ""))
        if url and enclosure.get("type", "").startswith("image/") and url not in seen:
            seen.add(url)
            yield ParsedImage(url=url)


def _date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
