from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadsheet.subscriptions import billing, stripe_api


class Command(BaseCommand):
    help = (
        "Fetch Stripe's events since a moment (Stripe keeps 30 days) and apply the ones we "
        "missed; then retry stored events that failed. Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="how far back (default 3)")
        parser.add_argument("--since", help="an ISO 8601 moment instead of --days")

    def handle(self, *args, days: int, since: str | None, **options):
        now = timezone.now()
        if since:
            try:
                start = datetime.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since is not an ISO 8601 moment: {since!r}") from error
            if timezone.is_naive(start):
                start = timezone.make_aware(start, UTC)
        else:
            start = now - timedelta(days=days)
        try:
            report = billing.billing_events_replay(since=start, now=now)
        except stripe_api.BillingNotConfiguredError as error:
            raise CommandError("Billing is not configured: set STRIPE_SECRET_KEY.") from error
        except stripe_api.BillingError as error:
            raise CommandError(f"Stripe did not answer: {error}") from error
        self.stdout.write(
            f"seen {report.seen}, newly stored {report.stored}, applied {report.applied}, "
            f"retried {report.retried}, failed {report.failed}"
        )
        if report.failed:
            raise CommandError(f"{report.failed} events could not be applied; see the logs")
