from django.core.management.base import BaseCommand

from broadsheet.newsroom import services


class Command(BaseCommand):
    help = "Create the configured editions, their homes, the newsroom roles and workflow."

    def add_arguments(self, parser):
        parser.add_argument("--hostname", default="localhost")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, hostname: str, port: int, **options):
        editions = services.editions_setup(hostname=hostname, port=port)
        services.roles_setup(editions=editions)
        for edition in editions:
            self.stdout.write(f"edition {edition.locale.language_code}: {edition.title}")
