from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import views

app_name = "newsletters"

# Every fixed segment after newsletters/ is in RESERVED_SLUGS (rules.py), so that no
# newsletter's archive slug can shadow it (tests/test_reserved_slugs.py).
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
