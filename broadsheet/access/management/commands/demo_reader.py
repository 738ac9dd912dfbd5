from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadsheet.subscriptions.models import Plan, Seat
from broadsheet.subscriptions.services.staff import subscription_grant_comp


class Command(BaseCommand):
    help = (
        "Create (or reset the password of) the demo's subscriber: a reader with a complimentary "
        "Premium subscription, to try the paywall, the device notice and the sharing warning."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", default="subscriber@example.com")
        parser.add_argument("--password", required=True)

    def handle(self, *args, email: str, password: str, **options):
        user, _created = get_user_model().objects.get_or_create(
            username="demo-subscriber", defaults={"email": email}
        )
        user.email = email
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        now = timezone.now()
        if not Seat.objects.filter(user=user, subscription__ends_at__gt=now).exists():
            plan = Plan.objects.filter(kind="premium", is_active=True).order_by("pk").first()
            if plan is None:
                raise CommandError("No Premium plan: run subscriptions_setup_plans first.")
            subscription_grant_comp(
                user=user,
                plan=plan,
                ends_at=now + timedelta(days=365),
                granted_by=None,
                note="demo",
                now=now,
            )
        self.stdout.write(f"subscriber '{email}' ready")
