"""The site's URLs plus a counting fragment, to watch how often fragments really render."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.utils.translation import get_language

from broadsheet.urls import urlpatterns as site_urlpatterns

calls = {"fragment": 0}


def counting_fragment(request):
    calls["fragment"] += 1
    response = HttpResponse(f"<b>fragment {calls['fragment']} in {get_language()}</b>")
    response["Cache-Control"] = "public, s-maxage=60"
    return response


def page_with_hole(request):
    html = (
        engines["django"]
        .from_string("{% load pagecache %}<p>page</p>{% esi_include '/es-es/_test/fragment/' %}")
        .render()
    )
    return HttpResponse(html)


urlpatterns = [
    path("es-es/_test/fragment/", counting_fragment),
    path("_test/page/", page_with_hole),
    *site_urlpatterns,
]
