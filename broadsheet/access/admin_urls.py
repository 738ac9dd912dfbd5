from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import admin_views

app_name = "access_admin"

# Mounted at /admin/sharing/ by wagtail_hooks.
urlpatterns = [
    path("", admin_views.SharingView.as_view(), name="sharing"),
    path("seats/<id:seat_id>/", admin_views.SeatView.as_view(), name="seat"),
    path("seats/<id:seat_id>/clear/", admin_views.flag_clear, name="flag_clear"),
]
