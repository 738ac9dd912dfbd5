from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import admin_views

app_name = "audience_admin"

# Mounted at /admin/audience/ by wagtail_hooks.
urlpatterns = [
    path("", admin_views.DashboardView.as_view(), name="dashboard"),
    path("articles/<id:article_id>/", admin_views.ArticleView.as_view(), name="article"),
    path("export/most-viewed.csv", admin_views.export_ranking, name="export_ranking"),
    path("export/history.csv", admin_views.export_history, name="export_history"),
    path(
        "articles/<id:article_id>/export.csv",
        admin_views.export_article,
        name="export_article",
    ),
]
