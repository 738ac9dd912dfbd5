"""Carrying out access decisions: asking the store, recording what happened.

`reading_decide` is the one way to learn whether a request may have an article's body; the
body hole (holes.article_body) is the one place that sends it, and feeds, JSON-LD, search
results and newsletters never carry bodies at all (see docs/access.md).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest, HttpResponse

from broadsheet.accounts.sessions import SignedIn, prefetched, signed_in_reader
from broadsheet.audience.services import paywall_hit_record
from broadsheet.operations import metrics
from broadsheet.subscriptions.rules import PLAN_RANK
from broadsheet.subscriptions.selectors import (
    NOT_READ,
    Entitlement,
    entitlement_cache_key,
    entitlement_for,
    entitlement_for_user_id,
)

from . import rules
from .devices import device_name
from .models import CountKind, DailyCount, SharingFlag, Takeover
from .rules import Ask, Decision, MeterOutcome, Reader, SlotOutcome
from .stores import StoreUnavailableError, get_store

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    return timedelta(seconds=settings.ACCESS_SLOT_LEASE_SECONDS)


def meter_period() -> timedelta:
    return timedelta(days=settings.ACCESS_METER_DAYS)


# The anonymous reader's id: a random token in an HttpOnly cookie, minted by whoever answers
# the page (Varnish at the edge in production, else reader_id_for below). It is a bearer id,
# not a signed one: anyone can become a new reader by dropping the cookie, so a signature would
# protect nothing, while it would stop the edge from minting ids (docs/decisions.md). A value
# that is not a well-formed id (tampered, truncated) is a new reader, who gets a valid id.

READER_ID = re.compile(r"[0-9a-z]{16,64}")
# Longer than any meter period: the cookie names the reader, the store decides what it holds.
READER_COOKIE_SECONDS = 400 * 24 * 3600
_MINTED_ATTRIBUTE = "access_minted_reader_id"
_GIVEN_ATTRIBUTE = "access_given_reader_id"


def reader_id_from_request(request: HttpRequest) -> str | None:
    """The reader id this request carries, if well formed. Cookies from before ids were
    minted at the edge are `<id>:<signature>`: their id part is the same reader still."""
    raw = request.COOKIES.get(settings.ACCESS_READER_COOKIE, "")
    candidate = raw.partition(":")[0]
    if READER_ID.fullmatch(candidate):
        return candidate
    return getattr(request, _GIVEN_ATTRIBUTE, None) or getattr(request, _MINTED_ATTRIBUTE, None)


def reader_id_give(request: HttpRequest, reader_id: str) -> bool:
    """This request's reader is named by something else than the cookie (an app's
    installation id, broadsheet.api): the same meter rules hold. False if it is malformed."""
    if not READER_ID.fullmatch(reader_id):
        return False
    setattr(request, _GIVEN_ATTRIBUTE, reader_id)
    return True


def reader_id_for(request: HttpRequest) -> str:
    """The reader id of this request, minting one (remembered on the request, for
    reader_cookie_set) when it carries none."""
    reader_id = reader_id_from_request(request)
    if reader_id is None:
        reader_id = uuid.uuid4().hex
        setattr(request, _MINTED_ATTRIBUTE, reader_id)
    return reader_id


def reader_id_minted(request: HttpRequest) -> str | None:
    """The id minted for this request, which its response must set as the reader cookie."""
    return getattr(request, _MINTED_ATTRIBUTE, None)


def reader_cookie_set(response: HttpResponse, reader_id: str) -> None:
    response.set_cookie(
        settings.ACCESS_READER_COOKIE,
        reader_id,
        max_age=READER_COOKIE_SECONDS,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def device_key_for_request(request: HttpRequest) -> str:
    """The device a signed-in request reads on: its Device row, else its session."""
    reader = request_reader(request)
    if reader is not None and reader.device_id:
        return str(reader.device_id)
    return f"s{reader.session_key if reader is not None else ''}"


def request_reader(request: HttpRequest) -> SignedIn | None:
    """Who is signed in, or None (broadsheet.accounts.sessions.signed_in_reader)."""
    return signed_in_reader(request)


def reader_prefetch(request: HttpRequest, *, keys: list[str]) -> None:
    """Read `keys` in the round trip that reads the session, with the signed-in reader's
    entitlement in the one that reads their facts (for `prefetched` and request_entitlement)."""
    signed_in_reader(
        request, also=keys, also_for_user=lambda user_id: [entitlement_cache_key(user_id)]
    )


_ENTITLEMENT_ATTRIBUTE = "access_entitlement"


def request_entitlement(request: HttpRequest, *, now: datetime) -> Entitlement | None:
    """The signed-in reader's entitlement, looked up once per request: a page asks for it in
    each of its holes (the body, the sharing warning)."""
    if hasattr(request, _ENTITLEMENT_ATTRIBUTE):
        return getattr(request, _ENTITLEMENT_ATTRIBUTE)
    reader = request_reader(request)
    entitlement = None
    if reader is not None:
        cached = prefetched(request, entitlement_cache_key(reader.user_id), NOT_READ)
        entitlement = entitlement_for_user_id(reader.user_id, now=now, cached=cached)
    setattr(request, _ENTITLEMENT_ATTRIBUTE, entitlement)
    return entitlement


# Counting, for the staff view.


# Walls and notices happen on page views, many a second on a busy site: they are added up in
# the cache and written to DailyCount once a minute (counts_flush, from access_tick), so that an
# anonymous reader meeting a wall costs no database write. Takeovers and flags, which are rare
# and recorded with their rows, are written at once.
PENDING_KINDS = frozenset(
    {CountKind.NOTICE, CountKind.REGISTRATION_WALL, CountKind.PAYWALL, CountKind.FAILED_CLOSED}
)
PENDING_SECONDS = 3 * 24 * 3600


def pending_count_key(day: date, kind: str) -> str:
    return f"access:pending:v1:{day:%Y%m%d}:{kind}"


def count_add(*, kind: str, now: datetime, by: int = 1) -> None:
    metrics.access_event(kind)
    if kind in PENDING_KINDS:
        key = pending_count_key(now.date(), kind)
        try:
            cache.add(key, 0, PENDING_SECONDS)
            cache.incr(key, by)
            return
        except Exception:  # noqa: BLE001 -- the cache is down: count in the database instead
            logger.warning("access counts: cache unreachable, counting in the database")
    _count_write(kind=kind, day=now.date(), by=by)


def _count_write(*, kind: str, day: date, by: int) -> None:
    try:
        with transaction.atomic():
            updated = DailyCount.objects.filter(day=day, kind=kind).update(count=F("count") + by)
            if not updated:
                DailyCount.objects.create(day=day, kind=kind, count=by)
    except IntegrityError:  # created by a concurrent request just now
        DailyCount.objects.filter(day=day, kind=kind).update(count=F("count") + by)


def pending_counts(*, now: datetime) -> dict[tuple[date, str], int]:
    """Counts added up in the cache and not yet written (today's and yesterday's)."""
    keys = {
        pending_count_key(day, kind): (day, kind)
        for day in (now.date(), now.date() - timedelta(days=1))
        for kind in PENDING_KINDS
    }
    found = cache.get_many(list(keys))
    return {keys[key]: int(value) for key, value in found.items() if int(value)}


def counts_flush(*, now: datetime) -> int:
    """Move the counts added up in the cache into DailyCount; returns how many were moved."""
    moved = 0
    for (day, kind), value in pending_counts(now=now).items():
        # decr, not delete: what other requests add meanwhile stays for the next flush.
        cache.decr(pending_count_key(day, kind), value)
        _count_write(kind=kind, day=day, by=value)
        moved += value
    return moved


@dataclass(frozen=True)
class Reading:
    """The decision about one request for one article, with what it was based on."""

    decision: Decision
    level: str
    entitlement: Entitlement | None
    meter: MeterOutcome | None
    slot: SlotOutcome | None
    device: str = ""


def reading_decide(
    *, request: HttpRequest, article_id: int, level: str, edition: str, now: datetime
) -> Reading:
    """May this request have this article's body? Asks the one store the decision needs (an
    atomic count on the meter, or a claim of the seat's slot), decides, and records."""
    user = request_reader(request)
    entitlement = request_entitlement(request, now=now)
    reader = Reader(signed_in=user is not None, entitled=entitlement is not None)
    meter = slot = None
    device = ""
    store = get_store()
    needed = rules.ask(level=level, reader=reader)
    if needed is Ask.SLOT:
        assert entitlement is not None
        device = device_key_for_request(request)
        try:
            slot = store.slot_claim(
                seat_id=entitlement.seat_id, device=device, now=now, lease=lease()
            )
        except StoreUnavailableError:
            slot = rules.SLOT_UNAVAILABLE
    elif needed is Ask.METER:
        if user is not None:
            meter_name, limit = f"u{user.user_id}", settings.ACCESS_REGISTERED_METER
        else:
            meter_name = f"r{reader_id_for(request)}"
            limit = settings.ACCESS_ANONYMOUS_METER
        try:
            meter = store.meter_count(
                meter=meter_name, article_id=article_id, limit=limit, period=meter_period(), now=now
            )
        except StoreUnavailableError:
            meter = rules.METER_UNAVAILABLE

    decision = rules.decide(level=level, reader=reader, meter=meter, slot=slot)
    metrics.access_decided(asked=needed, decision=decision)
    _record(decision, reader=reader, entitlement=entitlement, now=now)
    if decision.record_wall:
        # The newsroom's audience figures count paywall hits per article (docs/audience.md).
        paywall_hit_record(request=request, article_id=article_id, edition=edition, now=now)
    return Reading(
        decision=decision,
        level=level,
        entitlement=entitlement,
        meter=meter,
        slot=slot,
        device=device,
    )


def _record(decision: Decision, *, reader: Reader, entitlement, now: datetime) -> None:
    if decision.failed_open:
        logger.warning(
            "access store unavailable: seat %s read without a slot check (fail open)",
            entitlement.seat_id if entitlement else None,
        )
        count_add(kind=CountKind.FAILED_OPEN, now=now)
    if decision.failed_closed:
        logger.warning("access store unavailable: metered body withheld (fail closed)")
        count_add(kind=CountKind.FAILED_CLOSED, now=now)
    if decision.record_notice:
        count_add(kind=CountKind.NOTICE, now=now)
    if decision.record_wall:
        kind = (
            CountKind.REGISTRATION_WALL
            if decision.show is rules.Show.REGISTRATION_WALL
            else CountKind.PAYWALL
        )
        count_add(kind=kind, now=now)


def meter_remaining(*, request: HttpRequest, now: datetime) -> tuple[int, int] | None:
    """(used, limit) of this reader's meter, without counting anything; None if unknown."""
    user = request_reader(request)
    if user is not None:
        meter_name, limit = f"u{user.user_id}", settings.ACCESS_REGISTERED_METER
    else:
        reader_id = reader_id_from_request(request)
        if reader_id is None:
            return 0, settings.ACCESS_ANONYMOUS_METER
        meter_name, limit = f"r{reader_id}", settings.ACCESS_ANONYMOUS_METER
    try:
        used = get_store().meter_used(meter=meter_name, period=meter_period(), now=now)
    except StoreUnavailableError:
        return None
    return used, limit


# The slot: heartbeats, "Read here", signing out.


def slot_heartbeat(*, request: HttpRequest, fence: int, now: datetime) -> SlotOutcome | None:
    """An open article page is still being read on this device. None: nothing to hold (not
    signed in, or not entitled)."""
    entitlement = request_entitlement(request, now=now)
    if entitlement is None:
        return None
    device = device_key_for_request(request)
    try:
        outcome = get_store().slot_heartbeat(
            seat_id=entitlement.seat_id, device=device, fence=fence, now=now, lease=lease()
        )
    except StoreUnavailableError:
        return rules.SLOT_UNAVAILABLE
    return rules.heartbeat_of_holder(outcome, device=device)


def slot_take_over(*, request: HttpRequest, now: datetime) -> SlotOutcome | None:
    """ "Read here": this device takes its seat's slot, and the handover is recorded."""
    entitlement = request_entitlement(request, now=now)
    if entitlement is None:
        return None
    device = device_key_for_request(request)
    try:
        outcome = get_store().slot_take_over(
            seat_id=entitlement.seat_id, device=device, now=now, lease=lease()
        )
    except StoreUnavailableError:
        return rules.SLOT_UNAVAILABLE
    if outcome.taken_from:
        takeover_record(
            seat_id=entitlement.seat_id,
            plan_kind=entitlement.plan_kind,
            from_device=outcome.taken_from,
            to_device=device,
            now=now,
        )
    return outcome


@transaction.atomic
def takeover_record(
    *, seat_id: int, plan_kind: str, from_device: str, to_device: str, now: datetime
) -> Takeover:
    """Record a change of hands and flag the seat when it happens too often."""
    takeover = Takeover.objects.create(
        seat_id=seat_id,
        from_device=from_device,
        to_device=to_device,
        from_label=device_name(from_device)[:80],
        to_label=device_name(to_device)[:80],
        at=now,
    )
    count_add(kind=CountKind.TAKEOVER, now=now)
    # Takeovers count from the start of the window, or from the end of the seat's last flag
    # if later: a flag the reader ended (or staff cleared) wipes the slate.
    since = now - timedelta(hours=settings.ACCESS_SHARING_WINDOW_HOURS)
    last_end = SharingFlag.objects.filter(seat_id=seat_id, ended_at__isnull=False).aggregate(
        last=Max("ended_at")
    )["last"]
    if last_end is not None and last_end > since:
        since = last_end
    recent = Takeover.objects.filter(seat_id=seat_id, at__gt=since).count()
    open_flag = SharingFlag.objects.select_for_update().filter(seat_id=seat_id, ended_at=None)
    flag = open_flag.first()
    if flag is not None:
        flag.last_takeover_at = now
        flag.save(update_fields=["last_takeover_at"])
    elif rules.sharing_flagged(
        takeovers_in_window=recent, threshold=settings.ACCESS_SHARING_TAKEOVERS
    ):
        SharingFlag.objects.create(
            seat_id=seat_id, plan_kind=plan_kind, flagged_at=now, last_takeover_at=now
        )
        count_add(kind=CountKind.FLAGGED, now=now)
    _sharing_flag_changed(seat_id)
    return takeover


def slot_release_for_device(*, user, device_key: str, now: datetime) -> bool:
    """A device signed out (or was signed out): it frees its seat's slot at once."""
    entitlement = entitlement_for(user, now=now)
    if entitlement is None:
        return False
    try:
        return get_store().slot_release(seat_id=entitlement.seat_id, device=device_key)
    except StoreUnavailableError:
        # The lease runs out by itself within ACCESS_SLOT_LEASE_SECONDS.
        logger.warning("access store unavailable: slot of seat %s not freed", entitlement.seat_id)
        return False


# Sharing flags


def sharing_flag_cache_key(seat_id: int) -> str:
    return f"access:flag:v1:{seat_id}"


def sharing_flag_forget(*, seat_id: int) -> None:
    cache.delete(sharing_flag_cache_key(seat_id))


def _sharing_flag_changed(seat_id: int) -> None:
    # Now, for this request's next read; and after commit, in case a concurrent reader cached
    # the old answer in between.
    sharing_flag_forget(seat_id=seat_id)
    transaction.on_commit(lambda: sharing_flag_forget(seat_id=seat_id))


def sharing_flag_end(*, seat_id: int, reason: str, now: datetime, ended_by=None) -> bool:
    """End the seat's open flag, if it has one (password changed, upgraded, devices signed
    out, cooled down, or cleared by staff)."""
    updated = SharingFlag.objects.filter(seat_id=seat_id, ended_at=None).update(
        ended_at=now, end_reason=reason, ended_by=ended_by
    )
    if updated and reason == "upgraded":
        count_add(kind=CountKind.CONVERTED, now=now)
    _sharing_flag_changed(seat_id)
    return bool(updated)


def sharing_flag_end_for_user(*, user, reason: str, now: datetime) -> bool:
    entitlement = entitlement_for(user, now=now)
    if entitlement is None:
        return False
    return sharing_flag_end(seat_id=entitlement.seat_id, reason=reason, now=now)


def sharing_flags_settle(*, now: datetime) -> int:
    """End the flags whose cooling period has passed or whose seat upgraded (run every
    minute with the other ticks; readers see the right answer before that anyway)."""
    cooling = timedelta(days=settings.ACCESS_SHARING_COOLING_DAYS)
    ended = 0
    for flag in SharingFlag.objects.filter(ended_at=None).select_related(
        "seat__subscription__plan"
    ):
        if rules.sharing_cooled(last_takeover_at=flag.last_takeover_at, now=now, cooling=cooling):
            ended += sharing_flag_end(seat_id=flag.seat_id, reason="cooled", now=now)
        elif plan_upgraded(flag.plan_kind, flag.seat.subscription.plan.kind):
            ended += sharing_flag_end(seat_id=flag.seat_id, reason="upgraded", now=now)
    return ended


def plan_upgraded(flagged_kind: str, current_kind: str) -> bool:
    return PLAN_RANK.get(current_kind, 0) > PLAN_RANK.get(flagged_kind, 0)
