"""Broadsheet's allauth adapter: emails leave through a background task; the client's address
is found one way (client_ip); allauth's sign-ins are marked as counted for the sign-in gate
(backends.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

from . import services
from .backends import COUNTED
from .client_ip import client_ip


def user_display(user) -> str:
    return user.email or user.get_username()


class AccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request, **credentials):
        # allauth counts this attempt under its limits; the gate need not count it again.
        already = getattr(request, COUNTED, False)
        setattr(request, COUNTED, True)
        try:
            return super().authenticate(request, **credentials)
        finally:
            setattr(request, COUNTED, already)

    def get_client_ip(self, request) -> str:
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_safe_url(self, url: str | None) -> bool:
        # allauth checks the host but takes either scheme: never from https down to http.
        request = context.request
        secure = request is not None and request.is_secure()
        return super().is_safe_url(url) and url_has_allowed_host_and_scheme(
            url, allowed_hosts={urlsplit(url or "").netloc}, require_https=secure
        )

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        request = context.request
        ctx = {
            "request": request,
            "email": email,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "current_site": _Site(request),
        }
        ctx.update(context_data)
        # Rendered here, in the language of the edition the reader is using.
        message = self.render_mail(template_prefix, email, ctx)
        services.email_message_enqueue(message=message)


class _Site:
    """What allauth's email templates say of the site: our name, the request's host."""

    def __init__(self, request) -> None:
        self.name = settings.WAGTAIL_SITE_NAME
        self.domain = request.get_host() if request is not None else ""

    def __str__(self) -> str:
        return self.domain
