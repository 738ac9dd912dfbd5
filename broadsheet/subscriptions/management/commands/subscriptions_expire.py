from django.core.management.base import BaseCommand
from django.utils import timezone

from broadsheet.subscriptions.services.staff import subscriptions_expire


class Command(BaseCommand):
    help = "Mark ended the comps and canceled subscriptions whose time ran out (run hourly)."

    def handle(self, *args, **options):
        self.stdout.write(f"{subscriptions_expire(now=timezone.now())} subscriptions ended")
