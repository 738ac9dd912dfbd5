from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import views

app_name = "api"

# Everything of a reader (me/) under one prefix per edition, which the front proxy passes
# (deploy/varnish/default.vcl); everything else is public and cached.
urlpatterns = [
    path("api/v1/schema/", views.SchemaView.as_view(), name="schema"),
    path("api/v1/editions/", views.EditionListView.as_view(), name="editions"),
    path("api/v1/<str:edition>/sections/", views.SectionListView.as_view(), name="sections"),
    path("api/v1/<str:edition>/articles/", views.ArticleListView.as_view(), name="articles"),
    path(
        "api/v1/<str:edition>/articles/<id:article_id>/",
        views.ArticleDetailView.as_view(),
        name="article",
    ),
    path("api/v1/<str:edition>/most-viewed/", views.MostViewedView.as_view(), name="most_viewed"),
    path("api/v1/<str:edition>/search/", views.SearchView.as_view(), name="search"),
    path("api/v1/<str:edition>/me/", views.MeView.as_view(), name="me"),
    path("api/v1/<str:edition>/me/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("api/v1/<str:edition>/me/sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path(
        "api/v1/<str:edition>/me/articles/<id:article_id>/body/",
        views.BodyView.as_view(),
        name="body",
    ),
    path(
        "api/v1/<str:edition>/me/articles/<id:article_id>/read-here/",
        views.ReadHereView.as_view(),
        name="read_here",
    ),
    path(
        "api/v1/<str:edition>/me/articles/<id:article_id>/heartbeat/",
        views.HeartbeatView.as_view(),
        name="heartbeat",
    ),
]
