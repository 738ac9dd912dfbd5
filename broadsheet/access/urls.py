from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("_access/heartbeat/", views.heartbeat, name="heartbeat"),
    path("_access/read-here/", views.take_over, name="take_over"),
]
