"""What every parser builds (documents, items, images, problems) and the helpers they share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from ..body import strip_controls


class DocumentError(Exception):
    """The whole document is refused; the message is for the editor."""


class ItemError(Exception):
    """One item cannot be imported; the message is for the editor."""


@dataclass(frozen=True)
class ParsedImage:
    url: str
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class ParsedItem:
    guid: str
    headline: str
    version: str = ""
    summary: str = ""
    # HTML as the agency sent it (plain text arrives already wrapped in paragraphs); it is
    # sanitised when the page is built (agency/body.py).
    body_html: str = ""
    bylines: tuple[str, ...] = ()
    dateline: str = ""
    subjects: tuple[str, ...] = ()
    link: str = ""
    images: tuple[ParsedImage, ...] = ()
    published_at: datetime | None = None

    def fingerprint(self) -> str:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        encoded = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class ItemProblem:
    position: int
    message: str
    guid: str = ""
    headline: str = ""


@dataclass
class ParsedDocument:
    entries: list[ParsedItem | ItemProblem] = field(default_factory=list)


def clean_text(value: object, *, name: str, max_length: int | None = None) -> str:
    """A text field of an item: a string (or nothing), whitespace collapsed, bounded."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemError(_("The field %(name)s is not text.") % {"name": name})
    text = " ".join(strip_controls(value).split())
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rsplit(" ", 1)[0] + "…"
    return text


def http_url(value: str) -> str:
    """The value if it is an http(s) URL, else empty: other schemes are never followed."""
    value = (value or "").strip()
    if value.lower().startswith(("http://", "https://")) and len(value) <= 1000:
        return value
    return ""


def unique(values: list[str], *, max_count: int) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())[:max_count]


def parse_item(position: int, build, guid_hint: str = "") -> ParsedItem | ItemProblem:
    """Run one item's builder, turning its refusal into an ItemProblem."""
    try:
        item = build()
    except ItemError as error:
        return ItemProblem(position=position, message=str(error), guid=guid_hint[:500])
    if not item.guid:
        return ItemProblem(
            position=position,
            message=_("The item has no identifier (guid, id or uri)."),
            headline=item.headline[:255],
        )
    if len(item.guid) > 500:
        return ItemProblem(position=position, message=_("The item's identifier is too long."))
    if not item.headline:
        return ItemProblem(
            position=position, message=_("The item has no headline."), guid=item.guid
        )
    return item


def images_unique_by_url(images: list[ParsedImage], *, max_count: int) -> tuple[ParsedImage, ...]:
    """The first image of each URL, in order, at most `max_count`."""
    by_url: dict[str, ParsedImage] = {}
    for image in images:
        by_url.setdefault(image.url, image)
    return tuple(by_url.values())[:max_count]
