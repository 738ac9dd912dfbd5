"""`broadsheet_setup`: a fresh, migrated database made a newsroom, in one idempotent step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from broadsheet.agency.services import agency_setup
from broadsheet.newsletters.services import newsletters_setup
from broadsheet.newsroom import services as newsroom
from broadsheet.subscriptions.setup import plans_setup


@dataclass
class SetupReport:
    editions: list[str] = field(default_factory=list)
    plans: int = 0
    newsletters_created: list[str] = field(default_factory=list)
    admin: str = ""
    admin_created: bool = False


def public_host_and_port(url: str) -> tuple[str, int]:
    """The Wagtail site's host and port, from the public site URL readers use."""
    parts = urlsplit(url)
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def first_admin_ensure(*, email: str, password: str) -> tuple[Any, bool]:
    """A superuser in the newsroom's Admins group with this email, unless one exists: an
    existing account is left exactly as it is (its password too), so a second run changes
    nothing."""
    user_model = get_user_model()
    existing = user_model.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    user = user_model(username=email, email=email, is_staff=True, is_superuser=True)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(*Group.objects.filter(name__in=[newsroom.EDITORS, newsroom.ADMINS]))
    return user, True


@transaction.atomic
def broadsheet_setup(*, admin_email: str = "", admin_password: str = "") -> SetupReport:
    report = SetupReport()
    hostname, port = public_host_and_port(settings.PUBLIC_SITE_URL)
    editions = newsroom.editions_setup(hostname=hostname, port=port)
    newsroom.roles_setup(editions=editions)
    report.editions = [edition.locale.language_code for edition in editions]
    report.plans = len(plans_setup())
    report.newsletters_created = [str(n) for n in newsletters_setup(editions=editions)]
    agency_setup()
    if admin_email:
        user, report.admin_created = first_admin_ensure(email=admin_email, password=admin_password)
        report.admin = user.email
    return report
