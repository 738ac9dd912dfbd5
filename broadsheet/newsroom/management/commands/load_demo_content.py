from django.core.management.base import BaseCommand

from broadsheet.newsroom.demo import loader


class Command(BaseCommand):
    help = (
        "Load the demo newsroom: sections, staff with portraits, and about fifty articles in "
        "the US and Spanish editions (some Spanish ones translations of English ones), with "
        "tags, related articles, pictures and top stories. Does nothing if the demo is already "
        "loaded, unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo's articles, pictures and staff first, then load them again.",
        )
        parser.add_argument(
            "--image-width",
            type=int,
            default=1200,
            help="Width in pixels of the drawn pictures (smaller is faster).",
        )
        # An existing site (made by setup_newsroom) keeps its host and port.
        parser.add_argument(
            "--hostname", help="Host of the site, if it is created now (default localhost)."
        )
        parser.add_argument(
            "--port", type=int, help="Port of the site, if it is created now (default 80)."
        )

    def handle(
        self,
        *args,
        reset: bool,
        image_width: int,
        hostname: str | None,
        port: int | None,
        **options,
    ):
        if reset:
            removed = loader.demo_content_reset()
            self.stdout.write(f"Removed {removed} demo articles, their pictures and staff.")
        existing = loader.demo_article_count()
        if existing:
            # Not an error: `run.py demo` calls this on every start.
            self.stdout.write(
                f"The demo content is already loaded ({existing} articles); nothing to do. "
                "Use --reset to load it again."
            )
            return
        summary = loader.demo_content_load(image_width=image_width, hostname=hostname, port=port)
        for language, count in summary.articles.items():
            self.stdout.write(
                f"{language}: {count} articles in {summary.sections[language]} sections, "
                f"{summary.top_stories[language]} top stories"
            )
        self.stdout.write(
            f"{summary.translations} translations, {summary.authors} authors, "
            f"{summary.images} pictures, {summary.tags} tags, "
            f"{summary.views} synthetic views for the most-viewed rails"
        )
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
