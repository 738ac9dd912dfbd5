from django.http import HttpRequest

from . import selectors


def edition(request: HttpRequest) -> dict:
    """The edition of the page being shown, its sections and the other editions."""
    return selectors.edition_chrome_for_request(request)
