from django.core.management.base import BaseCommand, CommandError

from broadsheet.newsroom.demo import bulk


class Command(BaseCommand):
    help = (
        "Add N synthetic, live articles to an edition's sections, fast: rows are inserted in "
        "bulk (COPY on PostgreSQL) with their tree paths computed and their search index "
        "entries written a batch at a time, bypassing Wagtail's page saving. For benchmarks "
        "and load tests. Not done: revisions and Wagtail's reference index."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many articles to add.")
        parser.add_argument("--edition", default="en-us", help="Language code of the edition.")
        parser.add_argument(
            "--batch", type=int, default=5000, help="Articles per transaction (default 5000)."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=730,
            help="Spread publication times over this many days, up to now (default 730).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")

    def handle(self, *args, count: int, edition: str, batch: int, days: int, seed: int, **opts):
        if count < 1:
            raise CommandError("Give a number of articles of at least 1.")
        if batch < 1 or days < 1:
            raise CommandError("--batch and --days must be at least 1.")
        verbose = opts["verbosity"] > 1

        def progress(done: int) -> None:
            if verbose:
                self.stdout.write(f"  {done}/{count}")

        try:
            result = bulk.articles_generate(
                count=count,
                language_code=edition,
                batch_size=batch,
                days=days,
                seed=seed,
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        rate = result.created / result.seconds if result.seconds else 0
        self.stdout.write(
            f"Generated {result.created} articles in {result.sections} sections of {edition} "
            f"in {result.seconds:.1f}s ({rate:.0f} per second)."
        )
