"""Every sign-in of the site passes one gate, whichever form it comes from: allauth's, the
Wagtail admin's, Wagtail's front-end login (page privacy), or any other form that calls
Django's authenticate() with a request.

The gate is the first authentication backend. allauth's own forms reach it through
AccountAdapter.authenticate, which has already counted the attempt (ACCOUNT_RATE_LIMITS
"login" and "login_failed") and which leaves email verification to allauth's login stages:
there the gate steps aside. Any other door gets the same treatment here: the attempt is
counted under the same limits, by allauth's own code, and an account whose email is not
verified is refused (staff excepted, who are made by createsuperuser, demo_editor or the
admin, not by signing up).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

# Set on a request while allauth's adapter authenticates it (adapter.AccountAdapter).
COUNTED = "_broadsheet_sign_in_counted"


def user_sign_in_allowed(user) -> bool:
    """May this account sign in at a door where allauth does not check verification?"""
    if not user.is_active:
        return False
    # Staff are vouched for by whoever made them staff; their addresses are not signups.
    if user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    return EmailAddress.objects.filter(user=user, verified=True).exists()


class SignInGateBackend(ModelBackend):
    """Decides every sign-in that carries a request and did not come through allauth's forms:
    returns the user, or raises PermissionDenied, which makes Django refuse the sign-in
    without asking the other backends.

    It never checks a password itself: allauth's adapter does, through the other backends. It
    is a ModelBackend so that a session it signed in finds its user again; permissions are
    left to the other backends.
    """

    def authenticate(  # type: ignore[override]  # keyword credentials, passed on to allauth as given
        self, request: HttpRequest | None, **credentials
    ):
        if request is None or getattr(request, COUNTED, False):
            return None
        if not ratelimit.consume(request, action="login"):
            raise PermissionDenied("too many sign-in attempts from this address")
        try:
            user = get_adapter(request).authenticate(request, **credentials)
        except ValidationError as error:  # allauth's "too many failed sign-in attempts"
            raise PermissionDenied("too many failed sign-in attempts") from error
        if user is None or not user_sign_in_allowed(user):
            raise PermissionDenied("wrong credentials, inactive or unverified account")
        return user

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
