"""Fixtures of the syndication tests."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images.models import Image


@pytest.fixture
def media_root(settings, tmp_path):
    # Renditions are real files: keep them out of the project's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lead_image(db, media_root) -> Image:
    buffer = BytesIO()
    PillowImage.new("RGB", (1600, 900), "steelblue").save(buffer, "PNG")
    return Image.objects.create(title="Flooded valley", file=ImageFile(buffer, name="valley.png"))
