from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import views

app_name = "newsletters"

# Mounted inside the edition's language prefix (/en-us/, /es-es/).
urlpatterns = [
    path("newsletters/", views.index, name="index"),
    path("newsletters/signup/", views.signup, name="signup"),
    path("newsletters/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletters/preferences/<str:token>/", views.preferences, name="preferences"),
    path("newsletters/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("newsletters/<str:slug>/", views.archive, name="archive"),
    path("newsletters/<str:slug>/<id:issue_id>/", views.issue_detail, name="issue"),
]

# Slugs a newsletter cannot take: they are the pages above.
RESERVED_SLUGS = frozenset({"signup", "confirm", "preferences", "unsubscribe", "webhooks"})
