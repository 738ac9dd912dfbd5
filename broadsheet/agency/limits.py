"""The safety limits of agency import; each can be changed with a setting AGENCY_<NAME>."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # A document (feed or uploaded file) larger than this is refused before it is parsed.
    "MAX_DOCUMENT_BYTES": 5 * 1024 * 1024,
    "MAX_ITEMS": 500,
    # JSON nesting deeper than this is refused before it is parsed (ninjs needs about 5).
    "MAX_JSON_DEPTH": 32,
    "MAX_IMAGE_BYTES": 10 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 40_000_000,
    "MAX_IMAGES_PER_ITEM": 4,
    "MAX_TAGS_PER_ITEM": 12,
    "MAX_AUTHORS_PER_ITEM": 4,
    # Seconds for one fetch (connect, then the whole response), and for all images of a run.
    "FETCH_TIMEOUT_SECONDS": 10,
    "IMAGE_SECONDS_PER_RUN": 60,
    # Fetch from loopback and private addresses too (tests, an agency on the local network).
    "ALLOW_PRIVATE_HOSTS": False,
}


def limit(name: str):
    return getattr(settings, f"AGENCY_{name}", DEFAULTS[name])
