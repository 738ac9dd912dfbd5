from django.core.management.base import BaseCommand
from django.utils import timezone

from broadsheet.access import services


class Command(BaseCommand):
    help = (
        "Write the counts of walls and notices added up in the cache, and end sharing flags "
        "whose cooling period has passed or whose seat upgraded (run every minute)."
    )

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        moved = services.counts_flush(now=now)
        ended = services.sharing_flags_settle(now=now)
        self.stdout.write(f"counts written: {moved}; sharing flags ended: {ended}")
