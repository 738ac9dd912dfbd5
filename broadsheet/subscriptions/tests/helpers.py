"""Builders for the subscriptions tests: plans, subscriptions, signed Stripe events, and a
small stand-in for Stripe's API on a local port."""

from __future__ import annotations

import itertools
import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import stripe
from django.utils import timezone

from broadsheet.subscriptions.models import Plan, PlanKind, Price, Seat, SeatRole, Source, Status
from broadsheet.subscriptions.models import Subscription as SubscriptionModel
from broadsheet.subscriptions.services.invitations import invitation_accept, invitation_send
from broadsheet.subscriptions.setup import plans_setup

WEBHOOK_SECRET = "whsec_test_only_not_secret"
_sequence = itertools.count(1)


def plans_with_stripe_prices() -> dict[tuple[str, str], Plan]:
    """Every edition's plans, each price with a Stripe price id: {("en-us", "digital"): plan}."""
    plans = {}
    for plan in plans_setup():
        for price in plan.prices.all():
            price.stripe_price_id = (
                f"price_{plan.locale.language_code}_{plan.kind}_{price.interval}"
            )
            price.save(update_fields=["stripe_price_id"])
        plans[(plan.locale.language_code, plan.kind)] = plan
    return plans


def monthly(plan: Plan) -> Price:
    return plan.prices.get(interval="month")


def subscription_create(
    *,
    holder,
    plan: Plan,
    quantity: int = 1,
    status: str = Status.ACTIVE,
    period_days: int = 30,
    now: datetime | None = None,
) -> SubscriptionModel:
    """A paid (Stripe) subscription as our records would hold it after its webhooks."""
    now = now or timezone.now()
    price = monthly(plan)
    organisation = None
    if plan.kind == PlanKind.BUSINESS:
        from broadsheet.subscriptions.models import Organisation, OrganisationAdmin

        organisation = Organisation.objects.create(name="Acme", created_at=now)
        OrganisationAdmin.objects.create(organisation=organisation, user=holder, added_at=now)
    number = next(_sequence)
    subscription = SubscriptionModel.objects.create(
        plan=plan,
        price=price,
        holder=holder,
        organisation=organisation,
        source=Source.STRIPE,
        status=status,
        quantity=quantity,
        amount_minor=price.amount_minor,
        currency=price.currency,
        interval=price.interval,
        started_at=now,
        current_period_end=now + timedelta(days=period_days),
        stripe_subscription_id=f"sub_test_{number}",
        stripe_customer_id=f"cus_test_{number}",
        stripe_item_id=f"si_test_{number}",
        stripe_state_at=now - timedelta(minutes=1),
        created_at=now,
        updated_at=now,
        ended_at=now if status == Status.ENDED else None,
    )
    if plan.kind != PlanKind.BUSINESS:
        Seat.objects.create(
            subscription=subscription, user=holder, role=SeatRole.HOLDER, created_at=now
        )
    return subscription


def invite_and_accept(subscription, *, inviter, user, now=None):
    now = now or timezone.now()
    sent = invitation_send(
        subscription_id=subscription.pk,
        inviter=inviter,
        email=user.email,
        language="en-us",
        now=now,
    )
    return invitation_accept(token=sent.token, user=user, now=now)


# Stripe events


def stripe_subscription(
    *,
    sub_id: str,
    status: str = "active",
    price_id: str,
    quantity: int = 1,
    user=None,
    price_pk: int | None = None,
    organisation: str = "",
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
    customer: str = "cus_test",
) -> dict:
    period_end = period_end or int(time.time()) + 30 * 86400
    metadata = {}
    if user is not None:
        metadata = {
            "broadsheet_user": str(user.pk),
            "broadsheet_price": str(price_pk or ""),
            "broadsheet_organisation": organisation,
        }
    return {
        "id": sub_id,
        "object": "subscription",
        "status": status,
        "customer": customer,
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": period_end if cancel_at_period_end else None,
        "ended_at": int(time.time()) if status == "canceled" else None,
        "start_date": int(time.time()) - 60,
        "metadata": metadata,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sub_id}",
                    "object": "subscription_item",
                    "quantity": quantity,
                    "current_period_end": period_end,
                    "price": {"id": price_id, "object": "price"},
                }
            ],
        },
    }


def event(*, type_: str, obj: dict, created: int | None = None, event_id: str | None = None):
    return {
        "id": event_id or f"evt_test_{next(_sequence)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "type": type_,
        "data": {"object": obj},
    }


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


def post_event(client, evt: dict | str, *, secret: str = WEBHOOK_SECRET, timestamp=None):
    body = evt if isinstance(evt, str) else json.dumps(evt)
    return client.post(
        "/billing/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body, secret=secret, timestamp=timestamp),
    )


# A stand-in for Stripe's API


class FakeStripe:
    """Answers the few Stripe API calls we make, and remembers them."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.events: list[dict] = []
        self.subscriptions: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def calls(self, method: str, path_prefix: str) -> list[dict]:
        return [p for m, path, p in self.requests if m == method and path.startswith(path_prefix)]

    def answer(self, method: str, path: str, params: dict) -> tuple[int, dict]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, {
                "id": "cs_test_1",
                "object": "checkout.session",
                "url": "https://checkout.stripe.test/c/cs_test_1",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": "bps_test_1",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.test/p/1",
            }
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            sub_id = path.rsplit("/", 1)[-1]
            base = self.subscriptions.get(sub_id) or {"id": sub_id}
            return 200, {**base, "status": "canceled", "ended_at": int(time.time())}
        if method == "GET" and path == "/v1/invoices":
            return 200, {
                "object": "list",
                "data": [{"id": "in_test_1", "object": "invoice"}],
                "has_more": False,
                "url": "/v1/invoices",
            }
        if method == "GET" and path == "/v1/invoice_payments":
            return 200, {
                "object": "list",
                "data": [
                    {
                        "id": "inpay_1",
                        "object": "invoice_payment",
                        "payment": {"type": "payment_intent", "payment_intent": "pi_test_1"},
                    }
                ],
                "has_more": False,
                "url": "/v1/invoice_payments",
            }
        if method == "POST" and path == "/v1/refunds":
            return 200, {
                "id": "re_test_1",
                "object": "refund",
                "amount": 1200,
                "payment_intent": "pi_test_1",
            }
        if method == "GET" and path == "/v1/events":
            return 200, {
                "object": "list",
                "data": self.events,
                "has_more": False,
                "url": "/v1/events",
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"no {method} {path}"}}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else parts.query
                params = {k: v[-1] for k, v in parse_qs(raw).items()}
                fake.requests.append((method, parts.path, params))
                status, body = fake.answer(method, parts.path, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_DELETE(self):
                self._serve("DELETE")

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
