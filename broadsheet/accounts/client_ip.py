"""The client's address, found one way for the whole site: allauth's, which reads
X-Forwarded-For only as far as ALLAUTH_TRUSTED_PROXY_COUNT trusts it (or the header named by
ALLAUTH_TRUSTED_CLIENT_IP_HEADER). allauth's rate limits ask our adapter, which asks this."""

from __future__ import annotations

from ipaddress import ip_address

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the outermost trusted proxy saw (the socket's peer with no trusted proxy);
    "" when there is no valid one."""
    try:
        return DefaultAccountAdapter(request).get_client_ip(request)
    except PermissionDenied:
        return ""
    except ImproperlyConfigured:
        # Fewer X-Forwarded-For hops than trusted proxies: the request did not come through
        # them all, so its peer is the nearest address we can vouch for.
        return _peer_ip(request)


def _peer_ip(request: HttpRequest) -> str:
    try:
        return str(ip_address(request.META.get("REMOTE_ADDR", "").strip()))
    except ValueError:
        return ""
