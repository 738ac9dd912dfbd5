"""The site's URLs plus a page with a counting hole, to watch how often holes really fill."""

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import get_language

from broadsheet.pagecache.holes import REGISTRY, Filled, hole, hole_tag
from broadsheet.urls import urlpatterns as site_urlpatterns

calls = {"shared": 0, "private": 0}

if "test-counting" not in REGISTRY:

    @hole("test-counting", private=False, params=("n",), seconds=60)
    def counting_hole(request, *, n):
        calls["shared"] += 1
        return Filled(html=f"<b>hole {n} filled {calls['shared']} in {get_language()}</b>")

    @hole("test-private", private=True)
    def private_hole(request):
        calls["private"] += 1
        return Filled(html="<i>yours</i>", headers={"X-Test-Hole": "private"})


def page_with_hole(request):
    from django.utils import translation

    with translation.override("es-es"):
        tag = hole_tag(request, "test-counting", n="7")
    return HttpResponse(f"<p>page</p>{tag}")


def page_with_private_hole(request):
    return HttpResponse(f"<p>page</p>{hole_tag(request, 'test-private')}")


urlpatterns = [
    path("_test/page/", page_with_hole),
    path("_test/private/", page_with_private_hole),
    *site_urlpatterns,
]
