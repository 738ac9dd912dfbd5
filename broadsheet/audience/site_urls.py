from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import views

app_name = "audience_site"

# Outside the editions: the beacon names its edition itself (signed), needs no language, and
# sits under one prefix that caches and proxies can tell apart.
urlpatterns = [
    path(
        "_audience/view/<slug:edition>/<id:article_id>/<str:signature>/",
        views.beacon,
        name="view",
    ),
]
