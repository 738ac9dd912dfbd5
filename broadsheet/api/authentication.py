"""Apps authenticate with their device's token, in the Authorization header only."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from broadsheet.accounts.models import Device
from broadsheet.accounts.sessions import TOKEN_DEVICE

from .selectors import device_for_token

# Names a client might put a token under in an address; a token there ends up in logs and
# caches, so such a request is refused rather than ignored (the app learns at once).
TOKEN_QUERY_NAMES = ("token", "access_token", "auth", "authorization", "api_key", "key")


class TokenInUrlError(exceptions.ParseError):
    pass


class AppTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`. The request is then that device's for every app that
    asks who is signed in (accounts.sessions), and never its cookies'."""

    keyword = b"bearer"

    def authenticate(self, request):
        django_request = request._request
        if any(name in request.query_params for name in TOKEN_QUERY_NAMES):
            raise TokenInUrlError(
                _("Send the token in the Authorization header, never in the address.")
            )
        # Signed out until the token says otherwise: a session cookie sent along counts for
        # nothing here.
        setattr(django_request, TOKEN_DEVICE, None)
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if parts[0].lower() != self.keyword or len(parts) != 2 or len(parts[1]) > 200:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be “Bearer” and the app's token.")
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from error
        device = device_for_token(token=token)
        if device is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not valid: the app was signed out. Sign in again.")
            )
        setattr(django_request, TOKEN_DEVICE, device)
        django_request.user = device.user
        _seen(device)
        return device.user, device

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def _seen(device: Device) -> None:
    """The devices page's "last seen", written at most every ACCOUNTS_DEVICE_SEEN_EVERY."""
    now = timezone.now()
    if (now - device.last_seen_at).total_seconds() >= settings.ACCOUNTS_DEVICE_SEEN_EVERY:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now


class AppTokenScheme(OpenApiAuthenticationExtension):
    target_class = "broadsheet.api.authentication.AppTokenAuthentication"
    name = "appToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
