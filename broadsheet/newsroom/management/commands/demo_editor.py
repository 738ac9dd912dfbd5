from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from broadsheet.newsroom import services


class Command(BaseCommand):
    help = "Create (or reset the password of) the demo's 'editor' login, an admin of the newsroom."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")
        parser.add_argument("--password", required=True)

    def handle(self, *args, username: str, password: str, **options):
        user, _created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(password)
        # The demo's editor can do everything, so that every admin screen can be tried.
        user.is_staff = True
        user.is_superuser = True
        user.save()
        for name in (services.EDITORS, services.ADMINS):
            group = Group.objects.filter(name=name).first()
            if group:
                user.groups.add(group)
        self.stdout.write(f"login '{username}' ready")
