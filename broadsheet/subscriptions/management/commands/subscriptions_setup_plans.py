from django.core.management.base import BaseCommand

from broadsheet.subscriptions.setup import plans_setup


class Command(BaseCommand):
    help = (
        "Create the Digital, Premium and Business plans of every edition, in its currency, "
        "unless they exist (idempotent). Prices are the project's own demo figures."
    )

    def handle(self, *args, **options):
        plans = plans_setup()
        self.stdout.write(f"{len(plans)} plans ready")
