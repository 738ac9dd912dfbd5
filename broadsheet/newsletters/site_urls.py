"""Outside the editions: the email provider's tracking webhooks (anymail), when configured."""

from django.conf import settings
from django.urls import include, path

app_name = "newsletters_site"

urlpatterns = []
if getattr(settings, "ANYMAIL", None):
    # e.g. /newsletters/webhooks/anymail/postmark/tracking/; protected by ANYMAIL's
    # WEBHOOK_SECRET (HTTP basic auth) and each provider's signature checks.
    urlpatterns.append(path("newsletters/webhooks/anymail/", include("anymail.urls")))
