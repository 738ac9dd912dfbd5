from django.urls import path

from . import views

app_name = "audience"

# Mounted inside the edition's language prefix (/en-us/, /es-es/).
urlpatterns = [
    path("_fragments/most-viewed/", views.most_viewed, name="most_viewed"),
]
