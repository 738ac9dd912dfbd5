"""No newsletter slug can shadow a fixed page under /newsletters/."""

from __future__ import annotations

from broadsheet.newsletters import urls
from broadsheet.newsletters.rules import RESERVED_SLUGS


def test_every_fixed_page_under_newsletters_is_a_reserved_slug():
    fixed = {
        str(pattern.pattern).split("/")[1]
        for pattern in urls.urlpatterns
        if str(pattern.pattern).count("/") >= 2 and "<" not in str(pattern.pattern).split("/")[1]
    }
    assert fixed == {"signup", "confirm", "preferences", "unsubscribe"}
    assert fixed <= RESERVED_SLUGS
