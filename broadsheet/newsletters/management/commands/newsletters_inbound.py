"""Read returned mail: one message on standard input (an MTA pipe alias), or every new
message of a Maildir (then moved to its cur/ folder)."""

from __future__ import annotations

import mailbox
import sys

from django.core.management.base import BaseCommand

from broadsheet.newsletters.inbound import inbound_message_handle


class Command(BaseCommand):
    help = "Process bounces, complaints and unsubscribe mails (stdin or --maildir)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--maildir", help="Process the new messages of this Maildir.")

    def handle(self, *args, maildir: str | None = None, **options) -> None:
        if not maildir:
            self.stdout.write(inbound_message_handle(sys.stdin.buffer.read()))
            return
        box = mailbox.Maildir(maildir, create=False)
        for key in list(box.iterkeys()):
            message = box.get_message(key)
            if message.get_subdir() != "new":
                continue
            self.stdout.write(f"{key}: {inbound_message_handle(message.as_bytes())}")
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
