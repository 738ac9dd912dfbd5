"""entitlement_for(user): which seat of which subscription entitles this reader now."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadsheet.accounts.tests.helpers import reader_create
from broadsheet.subscriptions.models import PlanKind, Status
from broadsheet.subscriptions.selectors import entitlement_for
from broadsheet.subscriptions.services.seats import seat_remove
from broadsheet.subscriptions.services.staff import subscription_grant_comp

from .helpers import invite_and_accept, subscription_create


def test_no_subscription_no_entitlement(plans):
    assert entitlement_for(reader_create()) is None
    assert entitlement_for(AnonymousUser()) is None
    assert entitlement_for(None) is None


def test_the_holder_of_a_digital_plan(plans):
    reader = reader_create()
    subscription = subscription_create(holder=reader, plan=plans[("en-us", "digital")])
    entitlement = entitlement_for(reader)
    assert entitlement.subscription_id == subscription.pk
    assert entitlement.seat_id == subscription.seats.get().pk
    assert entitlement.plan_kind == PlanKind.DIGITAL
    assert entitlement.seat_limit == 1
    assert entitlement.valid_until > timezone.now()


def test_cached_then_dropped_when_a_seat_changes(plans, django_capture_on_commit_callbacks):
    holder, partner = reader_create(), reader_create()
    subscription = subscription_create(holder=holder, plan=plans[("en-us", "premium")])
    assert entitlement_for(partner) is None

    with CaptureQueriesContext(connection) as queries:
        assert entitlement_for(partner) is None
    assert len(queries) == 0  # the cached "no"

    with django_capture_on_commit_callbacks(execute=True):
        seat = invite_and_accept(subscription, inviter=holder, user=partner)
    assert entitlement_for(partner).seat_id == seat.pk

    with django_capture_on_commit_callbacks(execute=True):
        seat_remove(seat_id=seat.pk, actor=holder, now=timezone.now())
    assert entitlement_for(partner) is None  # removing a member ends their access at once


def test_one_query_when_cold(plans):
    reader = reader_create()
    subscription_create(holder=reader, plan=plans[("en-us", "digital")])
    with CaptureQueriesContext(connection) as queries:
        entitlement_for(reader)
    assert len(queries) == 1


def test_a_comp_entitles_until_its_end_even_from_the_cache(plans):
    reader, staff = reader_create(), reader_create(is_staff=True)
    now = timezone.now()
    subscription_grant_comp(
        user=reader,
        plan=plans[("es-es", "digital")],
        ends_at=now + timedelta(days=2),
        granted_by=staff,
        note="press",
        now=now,
    )
    assert entitlement_for(reader, now=now) is not None
    with time_machine.travel(now + timedelta(days=3)):
        # The cached answer carries its own end: no stale access after it.
        assert entitlement_for(reader) is None


def test_past_due_keeps_access_for_the_grace_only(plans, settings):
    settings.SUBSCRIPTIONS_PAST_DUE_GRACE_DAYS = 3
    reader = reader_create()
    subscription = subscription_create(
        holder=reader, plan=plans[("en-us", "digital")], status=Status.PAST_DUE
    )
    now = timezone.now()
    subscription.past_due_since = now
    subscription.save()
    assert entitlement_for(reader, now=now + timedelta(days=2)) is not None
    assert entitlement_for(reader, now=now + timedelta(days=4)) is None


def test_ended_and_incomplete_do_not_entitle(plans):
    for status in (Status.ENDED, Status.INCOMPLETE):
        reader = reader_create()
        subscription_create(holder=reader, plan=plans[("en-us", "digital")], status=status)
        assert entitlement_for(reader) is None


def test_the_richest_plan_wins(plans):
    reader, boss = reader_create(), reader_create()
    subscription_create(holder=reader, plan=plans[("en-us", "digital")])
    business = subscription_create(holder=boss, plan=plans[("en-us", "business")], quantity=3)
    invite_and_accept(business, inviter=boss, user=reader)
    assert entitlement_for(reader).subscription_id == business.pk


class _BrokenCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("cache down")

    set = delete_many = get


def test_a_cache_outage_falls_back_to_the_database(
    plans, monkeypatch, django_capture_on_commit_callbacks
):
    from broadsheet.subscriptions import selectors
    from broadsheet.subscriptions.services import entitlements

    reader = reader_create()
    subscription = subscription_create(holder=reader, plan=plans[("en-us", "digital")])
    monkeypatch.setattr(selectors, "cache", _BrokenCache())
    monkeypatch.setattr(entitlements, "cache", _BrokenCache())
    assert entitlement_for(reader).subscription_id == subscription.pk
    with django_capture_on_commit_callbacks(execute=True):
        entitlements.entitlements_drop(user_ids=[reader.pk])  # logged, not raised
