"""Load many readers and subscriptions for benchmarks (never on a real site)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from broadsheet.subscriptions.models import Plan, Seat, SeatRole, Source, Status, Subscription

BATCH = 10_000


class Command(BaseCommand):
    help = (
        "Create N readers (bench-<n>@bench.invalid, no usable password) and M Digital "
        "subscriptions with their seats, for benchmarks. Needs the plans "
        "(subscriptions_setup_plans). Refuses to run twice on the same database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--readers", type=int, default=1_000_000)
        parser.add_argument("--subscriptions", type=int, default=200_000)

    def handle(self, *args, readers: int, subscriptions: int, **options):
        User = get_user_model()  # noqa: N806
        if subscriptions > readers:
            raise CommandError("--subscriptions cannot be more than --readers")
        if User.objects.filter(username="bench-0").exists():
            raise CommandError("bench readers are already loaded here")
        plan = Plan.objects.filter(kind="digital", is_active=True).first()
        if plan is None:
            raise CommandError("run `manage.py subscriptions_setup_plans` first")
        price = plan.prices.order_by("pk").first()
        now = timezone.now()
        started = time.monotonic()
        for start in range(0, readers, BATCH):
            stop = min(start + BATCH, readers)
            with transaction.atomic():
                User.objects.bulk_create(
                    User(
                        username=f"bench-{n}",
                        email=f"bench-{n}@bench.invalid",
                        password="!",  # noqa: S106  (unusable: nobody signs in as these)
                        date_joined=now,
                    )
                    for n in range(start, stop)
                )
            self.stdout.write(f"readers {stop}/{readers} ({time.monotonic() - started:.0f}s)")
        first_id = User.objects.get(username="bench-0").pk
        for start in range(0, subscriptions, BATCH):
            stop = min(start + BATCH, subscriptions)
            with transaction.atomic():
                created = Subscription.objects.bulk_create(
                    Subscription(
                        plan=plan,
                        price=price,
                        holder_id=first_id + n * (readers // subscriptions),
                        source=Source.STRIPE,
                        status=Status.ACTIVE,
                        quantity=1,
                        amount_minor=price.amount_minor if price else 0,
                        currency=price.currency if price else "USD",
                        interval=price.interval if price else "month",
                        started_at=now,
                        current_period_end=now + timedelta(days=30),
                        stripe_subscription_id=f"sub_bench_{n}",
                        created_at=now,
                        updated_at=now,
                    )
                    for n in range(start, stop)
                )
                Seat.objects.bulk_create(
                    Seat(
                        subscription=subscription,
                        user_id=subscription.holder_id,  # type: ignore[misc]  # every generated subscription has a holder
                        role=SeatRole.HOLDER,
                        created_at=now,
                    )
                    for subscription in created
                )
            self.stdout.write(f"subscriptions {stop}/{subscriptions}")
        self.stdout.write(f"done in {time.monotonic() - started:.0f}s")
