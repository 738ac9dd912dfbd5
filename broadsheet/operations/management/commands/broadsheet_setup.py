import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from broadsheet.operations.setup import broadsheet_setup


class Command(BaseCommand):
    help = (
        "Make a migrated database a newsroom: editions (the site's host from PUBLIC_SITE_URL), "
        "roles and workflow, plans, newsletters, agency permissions and the first admin "
        "(BROADSHEET_ADMIN_EMAIL and BROADSHEET_ADMIN_PASSWORD, or asked for). Idempotent: "
        "a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never prompt: without BROADSHEET_ADMIN_EMAIL no admin is created",
        )

    def handle(self, *args, interactive: bool, **options) -> None:
        email = os.environ.get("BROADSHEET_ADMIN_EMAIL", "").strip()
        password = os.environ.get("BROADSHEET_ADMIN_PASSWORD", "")
        prompt = interactive and sys.stdin.isatty()
        if not email and prompt and not get_user_model().objects.filter(is_superuser=True).exists():
            email = input("Email of the first admin: ").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"The admin's email is not an address: {email!r}") from error
            exists = get_user_model().objects.filter(email__iexact=email).exists()
            if not exists and not password:
                if not prompt:
                    raise CommandError(
                        "Set BROADSHEET_ADMIN_PASSWORD to create the first admin, or run "
                        "without --no-input in a terminal to be asked."
                    )
                password = getpass.getpass("Password of the first admin: ")
            if not exists:
                try:
                    validate_password(password)
                except ValidationError as error:
                    reasons = " ".join(error.messages)
                    raise CommandError(f"The admin's password: {reasons}") from error
        report = broadsheet_setup(admin_email=email, admin_password=password)
        self.stdout.write(f"editions: {', '.join(report.editions)}")
        self.stdout.write(f"plans: {report.plans}")
        for newsletter in report.newsletters_created:
            self.stdout.write(f"newsletter created: {newsletter}")
        if report.admin:
            state = "created" if report.admin_created else "exists, left as it is"
            self.stdout.write(f"admin {report.admin}: {state}")
        elif not email:
            self.stdout.write("no admin asked for (set BROADSHEET_ADMIN_EMAIL)")
