"""Stripe's events, applied to our records: stored once by id, applied once, in any order.

- Stored once: BillingEvent.stripe_event_id is unique; a second delivery (a retry, a replay,
  two deliveries at once) finds the row already there.
- Applied once: the event row is locked while it is applied and marked processed in the same
  transaction, so a concurrent duplicate waits and then sees it done.
- In any order: each subscription remembers the Stripe time of the newest state applied to it
  (stripe_state_at); an older snapshot is recorded as stale and changes nothing, and a
  subscription that Stripe ended stays ended (Stripe never restarts one).
- Refused, not retried: a signed event we cannot read as one (a time out of range, a NUL or a
  lone surrogate, nesting too deep to parse, an id too long to keep, a subscription event about
  something that is not a subscription) is stored as failed with the reason and marked done, so
  that neither a redelivery nor the replay tries it again; its webhook answers 400. Other
  failures are retried by the replay, at most MAX_ATTEMPTS times.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import DataError, IntegrityError, transaction

from broadsheet.accounts.models import ActorKind
from broadsheet.accounts.services import audit_record

from . import lock_objects, rules, selectors, stripe_api
from .models import (
    BillingCustomer,
    BillingEvent,
    EventOutcome,
    Organisation,
    OrganisationAdmin,
    Price,
    Seat,
    SeatRole,
    Source,
    Status,
    Subscription,
)
from .services.checkout import billing_customer_remember
from .services.emails import removal_contact, seat_removed_email
from .services.entitlements import entitlements_drop

logger = logging.getLogger(__name__)
User = get_user_model()

SUBSCRIPTION_EVENTS = {
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "customer.subscription.pending_update_applied",
    "customer.subscription.pending_update_expired",
}
CHECKOUT_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
# BillingEvent's columns: an id or type that does not fit is no event of Stripe's.
MAX_EVENT_ID_LENGTH = 100
MAX_TYPE_LENGTH = 80
# 9999-12-31T23:59:59Z, the last second a datetime holds.
MAX_TIMESTAMP = 253_402_300_799
# Failures that may pass (the database, a bug fixed since) are retried by the replay this many
# times; then the event stays failed, for staff to look at.
MAX_ATTEMPTS = 10
# How much of a refused body is kept with it, for whoever looks into it.
REFUSED_BODY_CHARS = 10_000


class MalformedEventError(ValueError):
    """The body is not a Stripe event we can read."""


class NotAnEventError(MalformedEventError):
    """Not even an event's envelope (no id or type): refused, and nothing is kept."""


def _time(value) -> datetime | None:
    if value in (None, "", 0):
        return None
    try:
        seconds = int(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise MalformedEventError(f"a time that is not a number: {str(value)[:40]!r}") from error
    if not 0 < seconds <= MAX_TIMESTAMP:
        raise MalformedEventError(f"a time out of range: {str(seconds)[:40]}")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _id(value) -> str:
    """A Stripe reference: an id, or an expanded object with one."""
    if isinstance(value, dict):
        return str(value.get("id", ""))
    return str(value or "")


def _is_storable_text(text: str) -> bool:
    """PostgreSQL keeps neither a NUL nor half of a surrogate pair, in text or in JSON."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_texts(value) -> None:
    # Iterative: the parser already bounded the depth, but a walk need not spend the stack.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and not _is_storable_text(item):
            raise MalformedEventError("a NUL or a lone surrogate in a text")


def _is_event_id(value) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_EVENT_ID_LENGTH
        and value.isascii()
        and value.isprintable()
        and " " not in value
    )


def event_check(event) -> dict:
    if not isinstance(event, dict):
        raise NotAnEventError("not an object")
    data = event.get("data")
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise NotAnEventError("no id or type")
    if not _is_event_id(event["id"]):
        raise MalformedEventError(f"not an event id of at most {MAX_EVENT_ID_LENGTH} characters")
    if not 0 < len(event["type"]) <= MAX_TYPE_LENGTH:
        raise MalformedEventError(f"not a type of at most {MAX_TYPE_LENGTH} characters")
    created = event.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        raise MalformedEventError("no created time")
    _time(created)
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEventError("no data.object")
    _check_texts(event)
    if event["type"] in SUBSCRIPTION_EVENTS:
        _subscription_id(data["object"])
    return event


def _subscription_id(data: dict) -> str:
    stripe_id = data.get("id")
    if not isinstance(stripe_id, str) or not stripe_id.startswith("sub_"):
        raise MalformedEventError("not a subscription")
    if len(stripe_id) > MAX_EVENT_ID_LENGTH:
        raise MalformedEventError("a subscription id too long")
    return stripe_id


# Receiving


@dataclass(frozen=True)
class Received:
    event_pk: int
    created: bool
    outcome: str
    # Why the event was refused for good (stored failed, never retried); empty otherwise.
    refused: str = ""


def billing_event_store(*, event: dict, now: datetime) -> tuple[BillingEvent, bool]:
    """Store this event unless it is already stored; returns (row, created). Raises
    MalformedEventError for an event that cannot be stored as it is."""
    event_check(event)
    obj = event["data"]["object"]
    try:
        with transaction.atomic():
            row = BillingEvent.objects.create(
                stripe_event_id=event["id"],
                type=event["type"],
                # event_check refused an event without an integer creation time.
                stripe_created_at=datetime.fromtimestamp(event["created"], tz=UTC),
                livemode=bool(event.get("livemode", False)),
                payload=event,
                received_at=now,
                stripe_object_id=_id(obj.get("id"))[:100],
            )
        return row, True
    except IntegrityError:
        return BillingEvent.objects.get(stripe_event_id=event["id"]), False


def billing_event_ingest(*, event: dict, now: datetime, body: str = "") -> Received:
    """Store then apply one event (a webhook's or a replayed one); an event that cannot be
    stored as it is is stored refused instead."""
    try:
        row, created = billing_event_store(event=event, now=now)
    except NotAnEventError:
        raise
    except MalformedEventError as error:
        return billing_event_refuse(event=event, body=body, reason=str(error), now=now)
    outcome = billing_event_process(event_pk=row.pk, now=now)
    refused = ""
    if outcome == EventOutcome.FAILED:
        refused = (
            BillingEvent.objects.filter(pk=row.pk, processed_at__isnull=False)
            .values_list("error", flat=True)
            .first()
        ) or ""
    return Received(row.pk, created, outcome, refused)


def _refused_key(event, body: str) -> str:
    """The event's own id when we can keep it, else one made from what identifies it (a long
    id, else the whole body), so that each redelivery finds the same row."""
    event_id = event.get("id") if isinstance(event, dict) else None
    if isinstance(event_id, str) and _is_event_id(event_id):
        return event_id
    seed = event_id if isinstance(event_id, str) and event_id else body
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()
    return f"refused_{digest[:64]}"


def billing_event_refuse(*, event, body: str, reason: str, now: datetime) -> Received:
    """Keep a signed event we cannot read, failed for good, with the reason and its body."""
    event = event if isinstance(event, dict) else {}
    kind = event.get("type")
    kind = kind if isinstance(kind, str) and _is_storable_text(kind) else ""
    try:
        created_at = _time(event.get("created")) or now
    except MalformedEventError:
        created_at = now
    error = f"refused: {reason}"[:2000]
    key = _refused_key(event, body)
    kept_body = body[:REFUSED_BODY_CHARS].replace("\x00", "\\u0000")
    try:
        with transaction.atomic():
            row = BillingEvent.objects.create(
                stripe_event_id=key,
                type=kind[:MAX_TYPE_LENGTH],
                stripe_created_at=created_at,
                livemode=event.get("livemode") is True,
                payload={"refused": reason, "body": kept_body},
                received_at=now,
                processed_at=now,
                outcome=EventOutcome.FAILED,
                error=error,
                attempts=1,
            )
        logger.warning("Stripe event %s refused: %s", key, reason)
        return Received(row.pk, True, row.outcome, error)
    except IntegrityError:
        row = BillingEvent.objects.get(stripe_event_id=key)
        return Received(row.pk, False, row.outcome, row.error if row.processed_at else "")


def billing_event_receive(*, payload: bytes, signature: str, now: datetime) -> Received:
    """A webhook: check the signature on the raw body, then store and apply the event.
    Raises stripe.SignatureVerificationError, or ValueError for a body that is not an event."""
    try:
        event = stripe_api.webhook_event_verify(payload=payload, signature=signature)
    except RecursionError:
        # Raised by the JSON parser, so after the signature was found good.
        return billing_event_refuse(
            event=None, body=payload.decode("utf-8"), reason="nested too deeply", now=now
        )
    return billing_event_ingest(event=event, now=now, body=payload.decode("utf-8"))


def billing_event_process(*, event_pk: int, now: datetime) -> str:
    with transaction.atomic():
        row = lock_objects.billing_event_lock(event_pk=event_pk)
        if row.processed_at is not None:
            return row.outcome
        row.attempts += 1
        try:
            with transaction.atomic():
                outcome, subscription, user = _apply(row, now=now)
        except (MalformedEventError, DataError, OverflowError) as error:
            # What the event says cannot be applied however often it is tried.
            logger.warning("billing event %s refused: %s", row.stripe_event_id, error)
            row.outcome, row.processed_at = EventOutcome.FAILED, now
            row.error = f"refused: {type(error).__name__}: {error}"[:2000]
            row.save(update_fields=["attempts", "outcome", "error", "processed_at"])
            return row.outcome
        except Exception as error:
            logger.exception("billing event %s failed", row.stripe_event_id)
            row.outcome = EventOutcome.FAILED
            row.error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.processed_at = now  # given up: left failed, for staff
            row.save(update_fields=["attempts", "outcome", "error", "processed_at"])
            return row.outcome
        row.outcome, row.error, row.processed_at = outcome, "", now
        row.subscription = subscription or row.subscription
        row.user = user or (subscription.holder if subscription else None) or row.user
        row.save(
            update_fields=["attempts", "outcome", "error", "processed_at", "subscription", "user"]
        )
        return outcome


def _apply(row: BillingEvent, *, now: datetime):
    obj = row.payload["data"]["object"]
    if row.type in SUBSCRIPTION_EVENTS:
        subscription, outcome = subscription_apply_stripe_state(
            data=obj, state_at=row.stripe_created_at, now=now
        )
        return outcome, subscription, None
    if row.type in CHECKOUT_EVENTS:
        return _checkout_completed(obj, now=now)
    # Anything else is kept for the record, linked to whom it concerns when we can tell.
    subscription = None
    subscription_id = _id(obj.get("subscription")) or _id(
        ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    if subscription_id:
        subscription = Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
    customer = BillingCustomer.objects.filter(stripe_customer_id=_id(obj.get("customer"))).first()
    return EventOutcome.IGNORED, subscription, customer.user if customer else None


def _checkout_completed(session: dict, *, now: datetime):
    if session.get("mode") != "subscription":
        return EventOutcome.IGNORED, None, None
    metadata = session.get("metadata") or {}
    user_id = metadata.get("broadsheet_user") or session.get("client_reference_id") or ""
    user = User.objects.filter(pk=int(user_id)).first() if str(user_id).isdigit() else None
    if user is None:
        return EventOutcome.UNMATCHED, None, None
    billing_customer_remember(user=user, stripe_customer_id=_id(session.get("customer")), now=now)
    subscription = Subscription.objects.filter(
        stripe_subscription_id=_id(session.get("subscription"))
    ).first()
    # The subscription itself is created by its own customer.subscription.* events (which
    # carry the same metadata), whichever arrives first.
    return EventOutcome.APPLIED, subscription, user


# Applying a subscription's state


def _first_item(data: dict) -> dict:
    items = (data.get("items") or {}).get("data") or []
    return items[0] if items else {}


def _price_of(data: dict) -> Price | None:
    stripe_price_id = _id(_first_item(data).get("price"))
    price = None
    if stripe_price_id:
        price = Price.objects.select_related("plan").filter(stripe_price_id=stripe_price_id).first()
    if price is None:
        price_pk = (data.get("metadata") or {}).get("broadsheet_price", "")
        if str(price_pk).isdigit():
            price = Price.objects.select_related("plan").filter(pk=int(price_pk)).first()
    return price


def subscription_apply_stripe_state(
    *, data: dict, state_at: datetime, now: datetime
) -> tuple[Subscription | None, str]:
    """Bring our record of a Stripe subscription to this snapshot of it, unless we already
    have a newer one. Creates the record the first time (from the metadata set at checkout)."""
    stripe_id = _subscription_id(data)
    with transaction.atomic():
        subscription = lock_objects.subscription_lock_by_stripe_id(stripe_subscription_id=stripe_id)
        created = False
        if subscription is None:
            subscription, created = _subscription_create(data=data, state_at=state_at, now=now)
            if subscription is None:
                return None, EventOutcome.UNMATCHED
        if not created:
            if subscription.stripe_state_at and state_at < subscription.stripe_state_at:
                return subscription, EventOutcome.STALE
            if subscription.status == Status.ENDED:
                # Stripe never brings a canceled subscription back: a late "active" is stale.
                return subscription, EventOutcome.STALE
        _state_update(subscription, data=data, state_at=state_at, now=now, created=created)
    return subscription, EventOutcome.APPLIED


def _subscription_create(
    *, data: dict, state_at: datetime, now: datetime
) -> tuple[Subscription | None, bool]:
    """(the new record, True); or (the one another delivery created meanwhile, False); or
    (None, False) when the snapshot names no reader or price of ours."""
    metadata = data.get("metadata") or {}
    user_pk = str(metadata.get("broadsheet_user", ""))
    user = User.objects.filter(pk=int(user_pk)).first() if user_pk.isdigit() else None
    price = _price_of(data)
    if user is None or price is None:
        logger.warning("Stripe subscription %s matches no reader or price", data.get("id"))
        return None, False
    plan = price.plan
    try:
        with transaction.atomic():
            organisation = None
            if plan.kind == "business":
                name = str(metadata.get("broadsheet_organisation") or user.email)[:120]
                organisation = Organisation.objects.create(name=name, created_at=now)
                OrganisationAdmin.objects.create(organisation=organisation, user=user, added_at=now)
            subscription = Subscription.objects.create(
                plan=plan,
                price=price,
                holder=user,
                organisation=organisation,
                source=Source.STRIPE,
                status=Status.INCOMPLETE,
                quantity=max(int(_first_item(data).get("quantity") or 1), 1),
                amount_minor=price.amount_minor,
                currency=price.currency,
                interval=price.interval,
                started_at=_time(data.get("start_date")) or state_at,
                stripe_subscription_id=_id(data.get("id")),
                stripe_customer_id=_id(data.get("customer")),
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # Another delivery created it a moment ago: continue with theirs, under the lock.
        existing = lock_objects.subscription_lock_by_stripe_id(
            stripe_subscription_id=_id(data.get("id"))
        )
        return existing, False
    billing_customer_remember(user=user, stripe_customer_id=_id(data.get("customer")), now=now)
    return subscription, True


def _state_update(
    subscription: Subscription, *, data: dict, state_at: datetime, now: datetime, created: bool
) -> None:
    before = {
        "status": subscription.status,
        "plan": subscription.plan.kind,
        "quantity": subscription.quantity,
    }
    people_before = _people(subscription)
    item = _first_item(data)
    price = _price_of(data)
    if price is not None and price.pk != subscription.price_id:
        subscription.price, subscription.plan = price, price.plan
        subscription.amount_minor, subscription.currency = price.amount_minor, price.currency
        subscription.interval = price.interval
    status = rules.status_from_stripe(
        stripe_status=str(data.get("status", "")),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        cancel_at=data.get("cancel_at"),
    )
    if status == Status.PAST_DUE and subscription.status != Status.PAST_DUE:
        subscription.past_due_since = state_at
    elif status != Status.PAST_DUE:
        subscription.past_due_since = None
    subscription.status = status
    subscription.quantity = max(int(item.get("quantity") or subscription.quantity or 1), 1)
    subscription.current_period_end = _time(
        item.get("current_period_end") or data.get("current_period_end")
    )
    subscription.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    subscription.ends_at = _time(data.get("cancel_at"))
    if status == Status.ENDED:
        subscription.ended_at = _time(data.get("ended_at")) or state_at
    subscription.stripe_item_id = _id(item.get("id"))[:100]
    subscription.stripe_customer_id = _id(data.get("customer")) or subscription.stripe_customer_id
    subscription.stripe_state_at = state_at
    subscription.updated_at = now
    subscription.save()

    removed = _seats_fit(subscription, now=now)
    after = {
        "status": subscription.status,
        "plan": subscription.plan.kind,
        "quantity": subscription.quantity,
    }
    if created or after != before:
        audit_record(
            action="subscription.created" if created else "subscription.changed",
            subject=subscription.holder,
            actor_kind=ActorKind.STRIPE,
            target=f"subscription:{subscription.pk}",
            data={"before": {} if created else before, "after": after, "seats_removed": removed},
            now=now,
        )
    entitlements_drop(user_ids=people_before | _people(subscription))


def _people(subscription: Subscription) -> set[int]:
    people = set(Seat.objects.filter(subscription=subscription).values_list("user_id", flat=True))
    if subscription.holder_id:
        people.add(subscription.holder_id)
    return people


def _seats_fit(subscription: Subscription, *, now: datetime) -> list[int]:
    """The holder's seat where the plan gives one; then, if the plan or the number of seats
    shrank below the people in it, the newest seats go."""
    kind = subscription.plan.kind
    seats = lock_objects.seats_lock(subscription=subscription)
    if (
        rules.holder_takes_seat(kind=kind)
        and subscription.holder_id
        and not any(seat.user_id == subscription.holder_id for seat in seats)
    ):
        Seat.objects.create(
            subscription=subscription,
            user_id=subscription.holder_id,
            role=SeatRole.HOLDER,
            created_at=now,
        )
        seats = lock_objects.seats_lock(subscription=subscription)
    ordered = [s for s in seats if s.user_id == subscription.holder_id] + sorted(
        (s for s in seats if s.user_id != subscription.holder_id),
        key=lambda s: (s.created_at, s.pk),
    )
    going = rules.seats_over_limit(
        kind=kind, quantity=subscription.quantity, seats_in_order=[s.pk for s in ordered]
    )
    for seat in (s for s in ordered if s.pk in going):
        seat_id = seat.pk  # delete() clears it
        seat.delete()
        audit_record(
            action="seat.removed",
            subject=seat.user,
            actor_kind=ActorKind.STRIPE,
            target=f"subscription:{subscription.pk}",
            data={"seat": seat_id, "reason": "over_limit"},
            now=now,
        )
        seat_removed_email(
            subscription=subscription,
            user=seat.user,
            contact=removal_contact(subscription=subscription, actor=None, staff=True),
        )
    return going


# Replaying


@dataclass
class ReplayReport:
    seen: int = 0
    stored: int = 0
    applied: int = 0
    retried: int = 0
    failed: int = 0


def billing_events_replay(*, since: datetime, now: datetime) -> ReplayReport:
    """Fetch Stripe's events since this moment and ingest those we missed; then retry the
    stored events that failed before. Safe to run any number of times."""
    report = ReplayReport()
    for event in stripe_api.event_iter(since=since):
        report.seen += 1
        received = billing_event_ingest(event=event, now=now)
        report.stored += int(received.created)
        report.applied += int(received.created and received.outcome == EventOutcome.APPLIED)
        report.failed += int(received.outcome == EventOutcome.FAILED)
    for row in selectors.billing_event_list_todo():
        report.retried += 1
        if billing_event_process(event_pk=row.pk, now=now) == EventOutcome.FAILED:
            report.failed += 1
    return report
