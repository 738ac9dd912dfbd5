from django.urls import path

from broadsheet import converters  # noqa: F401  (registers <id:>)

from . import views

app_name = "subscriptions"

# Mounted at /<edition>/subscription/.
urlpatterns = [
    path("", views.mine, name="mine"),
    path("plans/", views.plans, name="plans"),
    path("buy/<id:price_id>/", views.buy, name="buy"),
    path("welcome/", views.welcome, name="welcome"),
    path("portal/", views.portal, name="portal"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("admin-invitation/<str:token>/", views.admin_invitation, name="admin_invitation"),
    path("<id:pk>/invite/", views.invite, name="invite"),
    path("<id:pk>/admins/invite/", views.admin_invite, name="admin_invite"),
    path(
        "<id:pk>/invitations/<id:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<id:pk>/seats/", views.seats_change, name="seats_change"),
    path("<id:pk>/seats/take/", views.seat_take, name="seat_take"),
    path("<id:pk>/seats/<id:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path("<id:pk>/seats/<id:seat_id>/reassign/", views.seat_reassign, name="seat_reassign"),
    path("<id:pk>/change/<id:price_id>/", views.plan_change, name="plan_change"),
    path("<id:pk>/cancel/", views.cancel, name="cancel"),
]
