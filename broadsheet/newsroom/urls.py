from django.urls import path

from . import views

app_name = "newsroom"

# Mounted inside the edition's language prefix (/en-us/, /es-es/), before Wagtail's pages.
urlpatterns = [
    path("tag/<str:slug>/", views.tag_archive, name="tag"),
    path("author/<str:slug>/", views.author_archive, name="author"),
    path("search/", views.search, name="search"),
]
