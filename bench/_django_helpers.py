"""Small Django-side helpers for bench/load_pages.py, run in their own process with the same
environment as the server (production settings, the bench database):

    python bench/_django_helpers.py count  [--edition en-us]
    python bench/_django_helpers.py urls   [--edition en-us] [--cold 200]
    python bench/_django_helpers.py api    [--edition en-us]   (bench/api.py's paths and token)

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit

# The checkout whose app is benchmarked (load_pages.py --app-dir), by default this one.
ROOT = Path(os.environ.get("BENCH_APP_DIR") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings.production")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from wagtail.models import Locale  # noqa: E402

from broadsheet.newsroom.models import ArticlePage, EditionPage, Tag  # noqa: E402


def _articles(edition: str):
    return ArticlePage.objects.live().filter(locale__language_code__iexact=edition)


def _path(page) -> str:
    return urlsplit(page.get_url()).path


def count(edition: str) -> dict:
    return {"articles": _articles(edition).count()}


def urls(edition: str, cold: int) -> dict:
    """The pages to load: the newest article (the one readers hit), the edition home, the
    busiest tag, and `cold` other articles spread over the whole archive (fixed seed)."""
    articles = _articles(edition)
    newest = articles.order_by("-first_published_at", "-pk").first()
    if newest is None:
        raise SystemExit(f"no live articles in edition {edition!r}")
    home = EditionPage.objects.live().get(locale__language_code__iexact=edition, depth=2)
    tag = (
        Tag.objects.filter(tagged_articles__content_object__locale__language_code__iexact=edition)
        .annotate(uses=Count("tagged_articles"))
        .order_by("-uses", "pk")
        .first()
    )
    ids = list(articles.exclude(pk=newest.pk).order_by("pk").values_list("pk", flat=True))
    sample = random.Random(20240101).sample(ids, min(cold, len(ids)))
    by_id = {page.pk: page for page in ArticlePage.objects.filter(pk__in=sample)}
    locale = Locale.objects.get(language_code__iexact=edition)
    by_level = {
        level: articles.filter(access_level=level).order_by("-first_published_at", "-pk").first()
        for level in ("free", "metered", "subscribers")
    }
    return {
        "article": _path(newest),
        **{f"{level}_article": _path(page) for level, page in by_level.items() if page},
        "home": _path(home),
        "tag": f"/{locale.language_code}/tag/{tag.slug}/" if tag else None,
        "tag_articles": tag.uses if tag else 0,
        "cold_articles": [_path(by_id[pk]) for pk in sample],
    }


def api(edition: str) -> dict:
    """What bench/api.py loads: the API's listing and the newest article's detail, and for the
    body request a subscriber's app token (a verified reader with a Digital subscription,
    signed in as the app does) and the newest article made subscribers-only."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.utils import timezone

    from broadsheet.api.services import app_sign_in
    from broadsheet.subscriptions.models import Plan
    from broadsheet.subscriptions.selectors import entitlement_for
    from broadsheet.subscriptions.services.staff import subscription_grant_comp
    from broadsheet.subscriptions.setup import plans_setup

    newest = _articles(edition).order_by("-first_published_at", "-pk").first()
    if newest is None:
        raise SystemExit(f"no live articles in edition {edition!r}")
    gated = _articles(edition).order_by("-first_published_at", "-pk")[1]
    if gated.access_level != "subscribers":
        gated.access_level = "subscribers"
        gated.save_revision().publish()
    now = timezone.now()
    email, password = "bench-app-reader@example.org", "bench passphrase for the app 42"
    user = get_user_model().objects.filter(email=email).first()
    if user is None:
        user = get_user_model().objects.create_user("bench-app-reader", email, password)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if entitlement_for(user, now=now) is None:
        plans_setup()
        plan = Plan.objects.filter(kind="digital", locale__language_code=edition).first()
        subscription_grant_comp(
            user=user,
            plan=plan,
            ends_at=now + timedelta(days=365),
            granted_by=None,
            quantity=1,
            now=now,
        )
    # An earlier run's app would hold the seat's slot for its lease: sign it out first (which
    # frees the slot), so this run's app reads rather than meets the notice.
    from broadsheet.accounts.services import device_sign_out_others

    device_sign_out_others(user=user, keep_session_key=None, actor=user, now=now)
    request = RequestFactory().post(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_HOST="127.0.0.1", HTTP_USER_AGENT="bench"
    )
    signed_in = app_sign_in(
        request=request, email=email, password=password, platform="iphone", now=now
    )
    if signed_in is None:
        raise SystemExit("the bench reader could not sign in")
    return {
        "list": f"/api/v1/{edition}/articles/",
        "detail": f"/api/v1/{edition}/articles/{newest.pk}/",
        "body": f"/api/v1/{edition}/me/articles/{gated.pk}/body/",
        "token": signed_in.token,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["count", "urls", "api"])
    parser.add_argument("--edition", default="en-us")
    parser.add_argument("--cold", type=int, default=200)
    args = parser.parse_args()
    if args.command == "count":
        result = count(args.edition)
    elif args.command == "api":
        result = api(args.edition)
    else:
        result = urls(args.edition, args.cold)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
