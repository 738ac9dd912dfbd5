"""Reading agency documents: one module per format, each turning bytes into ParsedItems.

A parser either refuses the whole document (DocumentError: not the format it claims, broken,
truncated, oversized, hostile) or returns one entry per item, a ParsedItem or an ItemProblem
saying why that item cannot be imported. Parsers write nothing and fetch nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..limits import limit
from . import atom, ninjs, rss
from .items import (
    DocumentError,
    ItemError,
    ItemProblem,
    ParsedDocument,
    ParsedImage,
    ParsedItem,
)

__all__ = [
    "DocumentError",
    "ItemError",
    "ItemProblem",
    "ParsedDocument",
    "ParsedImage",
    "ParsedItem",
    "parse_document",
]


def parse_document(*, format: str, data: bytes) -> ParsedDocument:
    """Parse a document of the given format (agency.models.Format)."""
    if len(data) > limit("MAX_DOCUMENT_BYTES"):
        raise DocumentError(
            _("The file is larger than %(limit)s bytes.") % {"limit": limit("MAX_DOCUMENT_BYTES")}
        )
    if not data.strip():
        raise DocumentError(_("The file is empty."))
    parsers = {"rss": rss.parse, "atom": atom.parse, "ninjs": ninjs.parse}
    if format not in parsers:
        raise DocumentError(_("Unknown format %(format)s.") % {"format": format})
    document = parsers[format](data)
    if len(document.entries) > limit("MAX_ITEMS"):
        raise DocumentError(
            _("The file has %(count)s items; at most %(limit)s are imported at once.")
            % {"count": len(document.entries), "limit": limit("MAX_ITEMS")}
        )
    return document
