"""A rate limit on the Wagtail admin's sign-in form (readers sign in through allauth, which
has its own limits)."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

ADMIN_LOGIN_PATH = "/admin/login/"


class AdminLoginRateLimitBackend(ModelBackend):
    """Counts every password tried on the admin sign-in per client IP and per username
    (ACCOUNT_RATE_LIMITS["admin_login"]); past the limit no password is even checked.

    It never authenticates anyone itself: it returns None to let the next backends try, or
    raises PermissionDenied, which makes Django stop and refuse the sign-in. It is a
    ModelBackend only so that a session recorded with it (Django's test client signs in with
    the first backend) still finds its user; permissions are left to the other backends.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not request.path.startswith(ADMIN_LOGIN_PATH):
            return None
        key = (username or "").strip().lower()
        if not ratelimit.consume(request, action="admin_login", key=key):
            raise PermissionDenied("too many sign-in attempts")
        return None

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
