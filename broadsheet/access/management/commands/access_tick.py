from django.core.management.base import BaseCommand
from django.utils import timezone

from broadsheet.access import services


class Command(BaseCommand):
    help = (
        "End sharing flags whose cooling period has passed or whose seat upgraded (run every "
        "minute; readers already see the right answer, this keeps the staff figures true)."
    )

    def handle(self, *args, **options) -> None:
        ended = services.sharing_flags_settle(now=timezone.now())
        self.stdout.write(f"sharing flags ended: {ended}")
