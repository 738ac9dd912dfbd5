"""Loading agency XML safely: defusedxml, with the encoding checked before parsing."""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from .items import DocumentError

_DECLARATION = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_BOMS = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _declared_encoding(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    match = _DECLARATION.match(data.lstrip()[:200])
    return match.group(1).decode("ascii").lower() if match else "utf-8"


def load(data: bytes) -> Element:
    """The document's root element, or a DocumentError that says what is wrong with it."""
    stripped = data.lstrip()
    if stripped[:1] in (b"{", b"["):
        raise DocumentError(_("This is JSON, not XML: is the source's format ninjs?"))
    encoding = _declared_encoding(data)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise DocumentError(
            _("The file declares an unknown encoding, %(encoding)s.") % {"encoding": encoding}
        ) from error
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        raise DocumentError(
            _(
                "The file is not valid %(encoding)s text (a wrong or mislabelled encoding): "
                "byte %(position)s."
            )
            % {"encoding": encoding.upper(), "position": error.start}
        ) from error
    try:
        # No feed needs a document type: refusing any DOCTYPE refuses entity expansion
        # (billion laughs, quadratic blowup) and external entities and DTDs before they start.
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise DocumentError(
            _(
                "The file was refused: it declares a document type, entities or external "
                "references (%(what)s)."
            )
            % {"what": type(error).__name__}
        ) from error
    except ParseError as error:
        raise DocumentError(
            _("The file is not well-formed XML (broken or truncated): %(error)s.")
            % {"error": error}
        ) from error
    except (ValueError, OverflowError, RecursionError) as error:
        raise DocumentError(_("The file could not be read as XML.")) from error


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text_of(element: Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext())


def children(element: Element, namespace: str, name: str) -> list[Element]:
    return element.findall(f"{{{namespace}}}{name}" if namespace else name)


def child(element: Element, namespace: str, name: str) -> Element | None:
    return element.find(f"{{{namespace}}}{name}" if namespace else name)
