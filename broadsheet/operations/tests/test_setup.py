"""`broadsheet_setup` makes a migrated database a newsroom, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Locale, Page, Revision, Site, Workflow

from broadsheet.newsletters.models import Newsletter
from broadsheet.newsroom.models import EditionPage
from broadsheet.subscriptions.models import Plan, Price

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_site(settings):
    settings.PUBLIC_SITE_URL = "https://news.example.com"


@pytest.fixture
def admin_from_environment(monkeypatch):
    monkeypatch.setenv("BROADSHEET_ADMIN_EMAIL", "chief@example.com")
    monkeypatch.setenv("BROADSHEET_ADMIN_PASSWORD", "a long and unusual passphrase")


def snapshot() -> dict:
    """Everything the setup writes, as it stands."""
    user = get_user_model().objects.filter(email="chief@example.com").first()
    return {
        "locales": sorted(Locale.objects.values_list("language_code", flat=True)),
        "pages": sorted(Page.objects.values_list("id", "path", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "sites": list(Site.objects.values_list("hostname", "port", "root_page_id")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_permissions": sorted(Group.objects.values_list("name", "permissions__codename")),
        "page_permissions": GroupPagePermission.objects.count(),
        "workflows": Workflow.objects.count(),
        "plans": sorted(Plan.objects.values_list("id", "locale__language_code", "kind")),
        "prices": sorted(Price.objects.values_list("id", "currency", "amount_minor")),
        "newsletters": sorted(Newsletter.objects.values_list("id", flat=True)),
        "users": get_user_model().objects.count(),
        "admin": (user.password, user.is_superuser, sorted(user.groups.values_list("name")))
        if user
        else None,
    }


def test_a_fresh_database_becomes_a_newsroom_with_its_first_admin(
    client, public_site, admin_from_environment
):
    call_command("broadsheet_setup", "--no-input")

    editions = EditionPage.objects.filter(depth=2)
    assert sorted(e.locale.language_code for e in editions) == ["en-us", "es-es"]
    assert all(e.live for e in editions)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("news.example.com", 443)
    assert {"Reporters", "Editors", "Admins"} <= set(Group.objects.values_list("name", flat=True))
    for edition in editions:
        assert Plan.objects.filter(locale=edition.locale, is_active=True).count() == 3
        assert Newsletter.objects.filter(locale=edition.locale).exists()
    # The first admin signs in to the newsroom's admin.
    assert client.login(username="chief@example.com", password="a long and unusual passphrase")
    assert client.get("/admin/").status_code == 200


def test_running_it_twice_changes_nothing(public_site, admin_from_environment, monkeypatch):
    call_command("broadsheet_setup", "--no-input")
    before = snapshot()
    # Even with another password in the environment: an existing admin is left as it is.
    monkeypatch.setenv("BROADSHEET_ADMIN_PASSWORD", "another long passphrase entirely")
    call_command("broadsheet_setup", "--no-input")
    assert snapshot() == before


def test_without_a_password_it_says_what_to_set_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("BROADSHEET_ADMIN_EMAIL", "chief@example.com")
    monkeypatch.delenv("BROADSHEET_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="BROADSHEET_ADMIN_PASSWORD"):
        call_command("broadsheet_setup", "--no-input")
    assert not get_user_model().objects.exists()
    assert not EditionPage.objects.exists()


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-address", "a long and unusual passphrase", "not an address"),
        ("chief@example.com", "12345", "password"),
    ],
)
def test_a_bad_admin_is_refused_before_anything_is_written(monkeypatch, email, password, message):
    monkeypatch.setenv("BROADSHEET_ADMIN_EMAIL", email)
    monkeypatch.setenv("BROADSHEET_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("broadsheet_setup", "--no-input")
    assert not get_user_model().objects.exists()
    assert not EditionPage.objects.exists()


def test_without_an_admin_asked_for_the_newsroom_is_still_set_up(monkeypatch):
    monkeypatch.delenv("BROADSHEET_ADMIN_EMAIL", raising=False)
    call_command("broadsheet_setup", "--no-input")
    assert EditionPage.objects.filter(depth=2).count() == 2
    assert not get_user_model().objects.exists()
