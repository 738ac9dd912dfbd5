"""Stripe's webhook endpoint: the raw body's signature is checked before anything else."""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import billing
from .models import EventOutcome

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "billing is not configured"}, status=503)
    signature = request.headers.get("Stripe-Signature", "")
    try:
        received = billing.billing_event_receive(
            payload=request.body, signature=signature, now=timezone.now()
        )
    except stripe.SignatureVerificationError:
        logger.warning("Stripe webhook with a bad or stale signature refused")
        return JsonResponse({"error": "invalid signature"}, status=400)
    except ValueError as error:
        return JsonResponse({"error": f"not a Stripe event: {error}"[:200]}, status=400)
    if received.refused:
        # Stored, failed for good: redelivering it changes nothing.
        return JsonResponse({"error": received.refused[:200]}, status=400)
    if received.outcome == EventOutcome.FAILED:
        # Stripe retries later; the stored event is applied again then (or by the replay).
        return JsonResponse({"error": "could not apply the event"}, status=500)
    return JsonResponse(
        {"received": True, "duplicate": not received.created, "outcome": received.outcome}
    )
