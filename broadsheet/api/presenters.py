"""Plain values for the API's answers, built from pages and from access decisions. The texts a
reader sees are translated here, in the edition's language the view runs in."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from broadsheet.access.devices import device_name
from broadsheet.access.rules import Show, SlotOutcome
from broadsheet.access.selectors import SharingWarning
from broadsheet.newsroom.models import ArticlePage, EditionPage, SectionPage
from broadsheet.subscriptions.models import PlanKind

RENDITIONS = {
    "thumbnail": "fill-320x180|format-webp",
    "medium": "width-800|format-webp",
    "large": "width-1600|format-webp",
}


def _absolute(request: HttpRequest, url: str | None) -> str:
    return request.build_absolute_uri(url or "/")


def edition_values(request: HttpRequest, edition: EditionPage) -> dict:
    return {
        "code": edition.locale.language_code.lower(),
        "name": edition.title,
        "tagline": edition.tagline,
        "url": _absolute(request, edition.url),
    }


def section_values(request: HttpRequest, section: SectionPage) -> dict:
    return {
        "id": section.pk,
        "slug": section.slug,
        "title": section.title,
        "url": _absolute(request, section.url),
    }


def image_values(request: HttpRequest, article: ArticlePage, *, names: tuple[str, ...]):
    image = article.lead_image
    if image is None:
        return None
    renditions = {}
    try:
        found = image.get_renditions(*(RENDITIONS[name] for name in names))
    except OSError:  # SourceImageIOError among them
        # The original file is missing: the article is still worth listing, without pictures.
        found = {}
    for name in names:
        rendition = found.get(RENDITIONS[name])
        if rendition is not None:
            renditions[name] = {
                "url": _absolute(request, rendition.url),
                "width": rendition.width,
                "height": rendition.height,
            }
    return {
        "alt": image.default_alt_text if hasattr(image, "default_alt_text") else image.title,
        "caption": article.lead_image_caption,
        "credit": article.lead_image_credit,
        "renditions": renditions,
    }


def _byline(article: ArticlePage) -> list[dict]:
    return [
        {"name": link.author.name, "slug": link.author.slug, "role": link.author.role}
        for link in article.article_authors.all()
    ]


def article_summary(request: HttpRequest, article: ArticlePage) -> dict:
    """What a listing shows of an article (the listing prefetched its bylines and image)."""
    return {
        "id": article.pk,
        "headline": article.title,
        "standfirst": article.standfirst,
        "url": _absolute(request, article.url),
        "first_published_at": article.first_published_at,
        "last_published_at": article.last_published_at or article.first_published_at,
        "access_level": article.access_level,
        "byline": _byline(article),
        "image": image_values(request, article, names=("thumbnail",)),
    }


def article_detail(request: HttpRequest, article: ArticlePage, context: dict, *, body_html):
    values = article_summary(request, article)
    values["byline"] = [
        {"name": author.name, "slug": author.slug, "role": author.role}
        for author in context["authors"]
    ]
    values["image"] = image_values(request, article, names=tuple(RENDITIONS))
    section = article.get_parent().specific
    values.update(
        {
            "dateline": article.dateline,
            "updated": article.show_updated,
            "section": section_values(request, section),
            "tags": [
                {"name": tag.name, "slug": tag.slug, "kind": tag.kind}
                for tag in context["article_tags"]
            ],
            "related": [article_summary(request, other) for other in context["related_articles"]],
            "translations": [
                {
                    "edition": other.locale.language_code.lower(),
                    "id": other.pk,
                    "headline": other.title,
                    "url": _absolute(request, other.url),
                }
                for other in context["translations"]
            ],
            "correction": article.correction_note,
            "body_html": body_html,
        }
    )
    return values


# The reader's part: the device notice, the sharing warning, walls, the meter.


def _ways_out(request: HttpRequest, plan_kind: str, *, devices: bool) -> list[dict]:
    mine = _absolute(request, reverse("subscriptions:mine"))
    plans = _absolute(request, reverse("subscriptions:plans"))
    if plan_kind == PlanKind.PREMIUM:
        ways = [
            {
                "kind": "add_person",
                "label": _("Add a person with their own email to your Premium subscription"),
                "url": mine,
            }
        ]
    elif plan_kind == PlanKind.BUSINESS:
        ways = [
            {
                "kind": "more_accounts",
                "label": _("Get more accounts for your organisation"),
                "url": mine,
            }
        ]
    else:
        ways = [
            {
                "kind": "upgrade",
                "label": _("Share with one more person: upgrade to Premium"),
                "url": plans,
            }
        ]
    ways.append(
        {
            "kind": "change_password",
            "label": _("Change your password"),
            "url": _absolute(request, reverse("account_change_password")),
        }
    )
    if devices:
        ways.append(
            {
                "kind": "sign_out_devices",
                "label": _("Sign the other devices out"),
                "url": _absolute(request, reverse("accounts:devices")),
            }
        )
    ways.append({"kind": "plan_terms", "label": _("The terms of your plan"), "url": plans})
    return ways


def notice_values(
    request: HttpRequest, *, slot: SlotOutcome, plan_kind: str, now: datetime
) -> dict:
    """The notice that another device reads with this seat, as the web page words it."""
    seen = slot.holder_seen
    name = device_name(slot.holder_device)
    just_now = seen is None or (now - seen).total_seconds() < 60
    if just_now:
        holder = (
            _("%(device)s, active just now.") % {"device": name}
            if name
            else _("Another device, active just now.")
        )
    else:
        assert seen is not None  # not just now: it was seen some time ago
        ago = timesince(seen, now)
        holder = (
            _("%(device)s, active %(ago)s ago.") % {"device": name, "ago": ago}
            if name
            else _("Another device, active %(ago)s ago.") % {"ago": ago}
        )
    return {
        "title": _("Your subscription is being used on another device"),
        "holder": holder,
        "holder_device": name,
        "holder_seen_at": seen,
        "message": _("A subscription can be read on one device at a time per person."),
        "read_here_label": _("Read here"),
        "ways_out": _ways_out(request, plan_kind, devices=False),
    }


def sharing_warning_values(request: HttpRequest, warning: SharingWarning | None) -> dict | None:
    if warning is None:
        return None
    return {
        "title": _("Your subscription seems to be shared"),
        "message": _(
            "It has moved between devices several times in a short while. A subscription is "
            "for one person, reading on one device at a time."
        ),
        "flagged_at": warning.flagged_at,
        "ways_out": _ways_out(request, warning.plan_kind, devices=True),
    }


def meter_values(meter) -> dict | None:
    if meter is None or not meter.available:
        return None
    message = ""
    if not meter.already_counted and meter.allowed:
        message = ngettext(
            "You have %(remaining)s free article left of %(limit)s.",
            "You have %(remaining)s free articles left of %(limit)s.",
            meter.remaining,
        ) % {"remaining": meter.remaining, "limit": meter.limit}
    return {
        "used": meter.used,
        "limit": meter.limit,
        "remaining": meter.remaining,
        "message": message,
    }


def wall_values(request: HttpRequest, *, show: Show, access_level: str) -> dict | None:
    sign_in = {
        "kind": "sign_in",
        "label": _("Sign in"),
        "url": _absolute(request, reverse("account_login")),
    }
    subscribe = {
        "kind": "subscribe",
        "label": _("Subscribe"),
        "url": _absolute(request, reverse("subscriptions:plans")),
    }
    if show is Show.REGISTRATION_WALL:
        limit = settings.ACCESS_REGISTERED_METER
        return {
            "title": _("You have read your free articles"),
            "message": ngettext(
                "Create a free account to keep reading: %(limit)s article a month, and our "
                "newsletters.",
                "Create a free account to keep reading: %(limit)s articles a month, and our "
                "newsletters.",
                limit,
            )
            % {"limit": limit},
            "ways_out": [
                {
                    "kind": "sign_up",
                    "label": _("Create a free account"),
                    "url": _absolute(request, reverse("account_signup")),
                },
                sign_in,
                subscribe,
            ],
        }
    if show is Show.PAYWALL:
        title = (
            _("This article is for subscribers")
            if access_level == "subscribers"
            else _("You have read all your free articles this month")
        )
        return {
            "title": title,
            "message": _("Subscribe to read every article, on one device at a time per person."),
            "ways_out": [subscribe, sign_in],
        }
    if show is Show.METER_UNAVAILABLE:
        return {
            "title": _("We cannot count your free articles right now"),
            "message": _("Subscribers can keep reading. Please try again in a few minutes."),
            "ways_out": [sign_in, subscribe],
        }
    return None
