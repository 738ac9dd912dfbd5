"""An issue's unconfirmed deliveries (handed to the mail server, outcome never recorded):
list them, resend them once, or mark them received, as the admin's screen does.

    manage.py newsletters_unconfirmed ISSUE      # id, address, Message-ID, when, last answer
    manage.py newsletters_unconfirmed ISSUE --resend ID [ID ...]
    manage.py newsletters_unconfirmed ISSUE --mark-received --all
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from broadsheet.newsletters import selectors, services
from broadsheet.newsletters.models import Issue


class Command(BaseCommand):
    help = "List, resend (once) or mark received an issue's unconfirmed deliveries."

    def add_arguments(self, parser) -> None:
        parser.add_argument("issue", type=int, help="the issue's id")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--resend", action="store_true", help="send them once more")
        action.add_argument(
            "--mark-received", action="store_true", help="the mail server's log shows them taken"
        )
        parser.add_argument("ids", nargs="*", type=int, help="delivery ids (see the list)")
        parser.add_argument("--all", action="store_true", help="every unconfirmed delivery")

    def handle(self, *args, issue: int, resend: bool, mark_received: bool, ids, **options):
        found = Issue.objects.filter(pk=issue).first()
        if found is None:
            raise CommandError(f"There is no issue {issue}.")
        unconfirmed = selectors.deliveries_unconfirmed(issue=found)
        if not (resend or mark_received):
            for d in unconfirmed:
                answer = f"{d.smtp_code or ''} {d.error}".strip() or "-"
                resent = f" (resent {d.resent_at:%Y-%m-%d %H:%M})" if d.resent_at else ""
                when = f"{d.handed_over_at:%Y-%m-%d %H:%M:%S}" if d.handed_over_at else "-"
                self.stdout.write(f"{d.pk}\t{d.email}\t{d.message_id}\t{when}\t{answer}{resent}")
            return
        if options["all"]:
            ids = list(unconfirmed.values_list("pk", flat=True))
        if not ids:
            raise CommandError("Name the deliveries (ids from the list) or say --all.")
        act = services.deliveries_resend if resend else services.deliveries_mark_received
        try:
            done = act(issue_id=issue, delivery_ids=ids, user=None, now=timezone.now())
        except services.IssueError as error:
            raise CommandError(str(error)) from error
        verb = "resent" if resend else "marked received"
        self.stdout.write(f"{done} of {len(ids)} {verb}")
