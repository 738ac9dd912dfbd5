"""Path converters and the one parser of ids that come from outside (URLs, form fields).

An id is a positive whole number that fits the database's 64-bit integer columns: anything
larger is no row of ours. Django's `<int:>` accepts any number of digits, which SQLite cannot
even bind (OverflowError), so the project's patterns use `<id:>` instead.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


def parse_id(value: object) -> int:
    """The id this text names; ValueError for anything that is not one (empty, signed, not a
    number, or beyond a 64-bit integer)."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"not an id: {text[:40]!r}")
    number = int(text)
    if number > MAX_ID:
        raise ValueError("not an id: too large")
    return number


class IdConverter:
    # 19 digits hold every 64-bit id; longer never matches (a 404, not a query).
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        # A ValueError here makes the pattern not match: the request is a 404.
        return parse_id(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
