"""Rate limits of the API, per client address and per app token, in the default cache
(Redis in production). Sign-ins have their own, tighter one, besides allauth's."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from broadsheet.accounts.client_ip import client_ip


class PerIpThrottle(SimpleRateThrottle):
    scope = "api_ip"

    def get_cache_key(self, request, view) -> str | None:
        # The address the site trusts (accounts.client_ip): never one a client picked.
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "none"}


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_cache_key(self, request, view) -> str | None:
        device = request.auth
        if device is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": device.pk}


class SignInThrottle(PerIpThrottle):
    scope = "api_sign_in"
