from django.urls import path

from . import views

app_name = "accounts"

# Mounted at /<edition>/accounts/, beside allauth's sign-in pages.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("devices/", views.devices, name="devices"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
