from django.urls import path

from . import views

app_name = "audience_site"

# Outside the editions: the beacon names its edition itself (signed), needs no language, and
# sits under one prefix that caches and proxies can tell apart.
urlpatterns = [
    path(
        "_audience/view/<slug:edition>/<int:article_id>/<str:signature>/",
        views.beacon,
        name="view",
    ),
]
