import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from broadsheet.operations import scheduler
from broadsheet.operations.periodic import PERIODIC_JOBS, crontab_schedule


class Command(BaseCommand):
    help = (
        "Run every periodic job when it is due (publishing, digests, rollups, expiries, "
        "Stripe replay) until stopped; --once runs each once; --print-crontab prints the same "
        "list as one crontab block instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument(
            "--print-crontab",
            metavar="CHECKOUT",
            help="print a crontab block running each job from this checkout, then exit",
        )

    def handle(self, *args, once: bool, print_crontab: str | None, **options) -> None:
        if print_crontab:
            for job in PERIODIC_JOBS:
                self.stdout.write(
                    f"{crontab_schedule(job.every)} cd {print_crontab} && "
                    f".venv/bin/python manage.py {' '.join(job.argv())}"
                )
            return
        if once:
            failed = [
                outcome.job.command
                for outcome in scheduler.run_once()
                if not outcome.skipped and outcome.returncode != 0
            ]
            if failed:
                raise CommandError(f"these jobs failed: {', '.join(failed)}")
            return
        stopping = threading.Event()
        # A supervisor's SIGTERM (or Ctrl-C) lets the job under way finish, then stops.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda _signum, _frame: stopping.set())
        scheduler.run_forever(stopping=stopping)
