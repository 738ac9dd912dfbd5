from django.urls import path

from . import views

app_name = "subscriptions"

# Mounted at /<edition>/subscription/.
urlpatterns = [
    path("", views.mine, name="mine"),
    path("plans/", views.plans, name="plans"),
    path("buy/<int:price_id>/", views.buy, name="buy"),
    path("welcome/", views.welcome, name="welcome"),
    path("portal/", views.portal, name="portal"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("admin-invitation/<str:token>/", views.admin_invitation, name="admin_invitation"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/admins/invite/", views.admin_invite, name="admin_invite"),
    path(
        "<int:pk>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<int:pk>/seats/", views.seats_change, name="seats_change"),
    path("<int:pk>/seats/take/", views.seat_take, name="seat_take"),
    path("<int:pk>/seats/<int:seat_id>/remove/", views.seat_remove, name="seat_remove"),
    path("<int:pk>/seats/<int:seat_id>/reassign/", views.seat_reassign, name="seat_reassign"),
    path("<int:pk>/change/<int:price_id>/", views.plan_change, name="plan_change"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
