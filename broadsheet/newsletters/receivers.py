"""What the email provider tells us (through anymail's tracking webhooks) stops mail.

anymail normalises every provider's webhook into a tracking signal; this receiver turns the
events that mean "never mail this address again" into a suppression (services.py).
"""

from __future__ import annotations

import logging

from django.dispatch import receiver
from django.utils import timezone

from . import services
from .models import SuppressionReason

logger = logging.getLogger(__name__)

try:
    from anymail.signals import tracking
except ImportError:  # anymail is optional: SMTP users read bounces from a mailbox instead
    tracking = None

# anymail event types -> the suppression they mean. "deferred" (a soft bounce) is not here:
# the provider retries it itself.
SUPPRESSING_EVENTS = {
    "bounced": SuppressionReason.HARD_BOUNCE,
    "complained": SuppressionReason.COMPLAINT,
}
SUPPRESSING_REJECT_REASONS = {
    "bounced": SuppressionReason.HARD_BOUNCE,
    "invalid": SuppressionReason.HARD_BOUNCE,
    "spam": SuppressionReason.COMPLAINT,
}


def provider_event_handle(*, event_type: str, recipient: str, reject_reason: str = "") -> str:
    """Apply one provider event; returns what was done (for logs and tests)."""
    now = timezone.now()
    if not recipient:
        return "ignored"
    reason = SUPPRESSING_EVENTS.get(event_type)
    if event_type == "rejected":
        reason = SUPPRESSING_REJECT_REASONS.get(reject_reason or "")
    if reason is not None:
        services.subscriber_suppress(email=recipient, reason=reason, now=now)
        return f"suppressed:{reason}"
    if event_type == "unsubscribed":
        subscriber = services.selectors.subscriber_by_email(email=recipient.strip().lower())
        if subscriber is not None:
            services.subscriber_unsubscribe_all(subscriber=subscriber, now=now)
            return "unsubscribed"
    return "ignored"


if tracking is not None:

    @receiver(tracking, dispatch_uid="newsletters-provider-tracking")
    def on_provider_event(sender, event, esp_name, **kwargs) -> None:
        outcome = provider_event_handle(
            event_type=event.event_type,
            recipient=event.recipient or "",
            reject_reason=event.reject_reason or "",
        )
        logger.info("%s %s event: %s", esp_name, event.event_type, outcome)
