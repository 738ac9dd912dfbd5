from django.conf import settings
from django.http import HttpRequest

from . import selectors


def edition(request: HttpRequest) -> dict:
    """The publication's name, the edition of the page being shown, its sections and the
    other editions."""
    return {
        "publication_name": settings.PUBLICATION_NAME,
        **selectors.edition_chrome_for_request(request),
    }
