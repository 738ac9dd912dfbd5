"""IPTC ninjs (News in JSON), generation 1 (1.0 to 1.5) and generation 2 (2.0, 2.1).

A document is one ninjs object, a list of them, or {"items": [...]}. Generation 2 is told by
its plural fields (headlines, bodies, descriptions, subjects) and list-shaped renditions and
associations; generation 1 by headline, body_html, subject and dict-shaped ones.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from ..body import html_to_text
from ..limits import limit
from .items import (
    DocumentError,
    ItemError,
    ParsedDocument,
    ParsedImage,
    ParsedItem,
    clean_text,
    http_url,
    images_unique_by_url,
    parse_item,
    unique,
)


def parse(data: bytes) -> ParsedDocument:
    if data.lstrip()[:1] == b"<":
        raise DocumentError(_("This is XML, not JSON: is the source's format RSS or Atom?"))
    _check_depth(data, limit("MAX_JSON_DEPTH"))
    try:
        # json.loads detects UTF-8, UTF-16 and UTF-32 (RFC 8259); anything else is refused.
        document = json.loads(data)
    except UnicodeDecodeError as error:
        raise DocumentError(
            _("The file is not valid UTF-8 text (a wrong or mislabelled encoding): byte %(p)s.")
            % {"p": error.start}
        ) from error
    except json.JSONDecodeError as error:
        raise DocumentError(
            _("The file is not valid JSON (broken or truncated): %(error)s.") % {"error": error}
        ) from error
    except (ValueError, RecursionError) as error:
        raise DocumentError(_("The file could not be read as JSON.")) from error
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        document = document["items"]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise DocumentError(_("A ninjs file holds an object or a list of objects."))
    return ParsedDocument(
        entries=[
            parse_item(position, lambda entry=entry: _item(entry), _guid_hint(entry))
            for position, entry in enumerate(document, start=1)
        ]
    )


def _check_depth(data: bytes, max_depth: int) -> None:
    """Refuse nesting deeper than max_depth before json (which recurses) sees it."""
    depth = 0
    in_string = False
    escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > max_depth:
                raise DocumentError(
                    _("The file is nested deeper than %(limit)s levels.") % {"limit": max_depth}
                )
        elif byte in (0x5D, 0x7D):
            depth -= 1


def _guid_hint(entry) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("uri"), str):
        return entry["uri"]
    return ""


def _field(entry: dict, name: str, kind: type | tuple[type, ...], default):
    value = entry.get(name, default)
    if value is None:
        return default
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ItemError(_("The field %(name)s has the wrong type.") % {"name": name})
    return value


def _is_generation_2(entry: dict) -> bool:
    return any(
        key in entry for key in ("headlines", "bodies", "descriptions", "subjects")
    ) or isinstance(entry.get("renditions"), list)


def _item(entry) -> ParsedItem:
    if not isinstance(entry, dict):
        raise ItemError(_("The item is not a JSON object."))
    item_type = _field(entry, "type", str, "text")
    if item_type not in ("text", "composite"):
        raise ItemError(
            _("The item is of type %(type)s; only text items become articles.")
            % {"type": item_type[:40]}
        )
    fields = _generation_2(entry) if _is_generation_2(entry) else _generation_1(entry)
    version = _field(entry, "version", (str, int), "")
    return ParsedItem(
        guid=clean_text(_field(entry, "uri", str, ""), name="uri"),
        version=str(version)[:64],
        dateline=clean_text(_field(entry, "located", str, ""), name="located", max_length=80),
        link=_link(entry),
        published_at=_date(
            _field(entry, "firstcreated", str, "") or _field(entry, "versioncreated", str, "")
        ),
        **fields,
    )


def _generation_1(entry: dict) -> dict:
    body = _field(entry, "body_html", str, "") or _paragraphs(_field(entry, "body_text", str, ""))
    description = _field(entry, "description_text", str, "") or html_to_text(
        _field(entry, "description_html", str, "")
    )
    subjects = _field(entry, "subject", list, [])
    images = []
    for association in _field(entry, "associations", dict, {}).values():
        images.extend(_picture(association, _field(association, "renditions", dict, {}).values()))
    return {
        "headline": clean_text(_field(entry, "headline", str, ""), name="headline"),
        "summary": clean_text(description, name="description_text") or html_to_text(body),
        "body_html": body,
        "bylines": _bylines(_field(entry, "byline", str, "")),
        "subjects": _subjects(subjects),
        "images": _first_images(images),
    }


def _generation_2(entry: dict) -> dict:
    headlines = _field(entry, "headlines", list, [])
    bodies = _field(entry, "bodies", list, [])
    descriptions = _field(entry, "descriptions", list, [])
    body = ""
    for candidate in sorted(bodies, key=_main_first):
        value = _field(_object(candidate, "bodies"), "value", str, "")
        if value and "html" in _field(candidate, "contenttype", str, "text/plain"):
            body = value
            break
        if value and not body:
            body = _paragraphs(value)
    description = ""
    for candidate in sorted(descriptions, key=_main_first):
        value = _field(_object(candidate, "descriptions"), "value", str, "")
        if value:
            contenttype = _field(candidate, "contenttype", str, "text/plain")
            description = html_to_text(value) if "html" in contenttype else value
            break
    headline = ""
    for candidate in sorted(headlines, key=_main_first):
        headline = _field(_object(candidate, "headlines"), "value", str, "")
        if headline:
            break
    images = []
    for association in _field(entry, "associations", list, []):
        association = _object(association, "associations")
        images.extend(_picture(association, _field(association, "renditions", list, [])))
    return {
        "headline": clean_text(headline, name="headlines"),
        "summary": clean_text(description, name="descriptions") or html_to_text(body),
        "body_html": body,
        "bylines": _bylines(_field(entry, "by", str, ""))
        or unique(
            [
                clean_text(_field(_object(p, "people"), "name", str, ""), name="people")
                for p in _field(entry, "people", list, [])
                if _object(p, "people").get("rel") in ("author", "creator", None)
            ],
            max_count=limit("MAX_AUTHORS_PER_ITEM"),
        ),
        "subjects": _subjects(_field(entry, "subjects", list, [])),
        "images": _first_images(images),
    }


def _object(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise ItemError(_("The field %(name)s has the wrong type.") % {"name": name})
    return value


def _main_first(candidate) -> int:
    return 0 if isinstance(candidate, dict) and candidate.get("role") in (None, "main") else 1


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{html.escape(paragraph.strip())}</p>"
        for paragraph in text.split("\n\n")
        if paragraph.strip()
    )


def _bylines(value: str) -> tuple[str, ...]:
    text = clean_text(value, name="byline")
    # "By Ana Ruiz and Jo Smith", "Por Ana Ruiz": the names, not the word before them.
    text = re.sub(r"^(by|por)\b\s*", "", text, flags=re.IGNORECASE)
    names = [name.strip() for part in text.split(" and ") for name in part.split(",")]
    return unique([n[:120] for n in names], max_count=limit("MAX_AUTHORS_PER_ITEM"))


def _subjects(subjects: list) -> tuple[str, ...]:
    names = []
    for subject in subjects:
        subject = _object(subject, "subject")
        names.append(clean_text(_field(subject, "name", str, ""), name="subject")[:100])
    return unique(names, max_count=limit("MAX_TAGS_PER_ITEM"))


def _picture(association: dict, renditions) -> list[ParsedImage]:
    if _field(association, "type", str, "picture") != "picture":
        return []
    # The largest rendition that is an image: the best the agency offers.
    best, best_width = "", -1
    for rendition in renditions:
        rendition = _object(rendition, "renditions")
        url = http_url(_field(rendition, "href", str, ""))
        mimetype = _field(rendition, "mimetype", str, "") or _field(
            rendition, "contenttype", str, ""
        )
        width = _field(rendition, "width", int, 0)
        if url and mimetype.startswith("image/") and width > best_width:
            best, best_width = url, width
    if not best:
        return []
    caption = _field(association, "description_text", str, "")
    if not caption:
        for description in _field(association, "descriptions", list, []):
            caption = _field(_object(description, "descriptions"), "value", str, "")
            if caption:
                break
    credit = _field(association, "byline", str, "") or _field(association, "by", str, "")
    credit = credit or _field(association, "copyrightholder", str, "")
    return [
        ParsedImage(
            url=best,
            caption=clean_text(caption, name="description", max_length=300),
            credit=clean_text(credit, name="byline", max_length=120),
        )
    ]


def _first_images(images: list[ParsedImage]) -> tuple[ParsedImage, ...]:
    return images_unique_by_url(images, max_count=limit("MAX_IMAGES_PER_ITEM"))


def _link(entry: dict) -> str:
    for link in _field(entry, "links", list, []):
        if isinstance(link, dict) and link.get("rel") in (None, "alternate", "canonical"):
            url = http_url(_field(link, "href", str, ""))
            if url:
                return url
    return http_url(_field(entry, "uri", str, ""))


def _date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
