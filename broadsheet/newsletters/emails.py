"""The emails about a subscription itself (confirmation) and an editor's test send."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import rendering, tokens
from .models import Issue, Subscriber, SubscriptionStatus


def confirmation_send(*, subscriber_id: int) -> bool:
    """Email the link that confirms this subscriber's pending subscriptions; False if there
    is nothing to confirm (or the address is suppressed)."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.is_suppressed:
        return False
    newsletters = [
        s.newsletter
        for s in subscriber.subscriptions.filter(status=SubscriptionStatus.PENDING)
        .select_related("newsletter__locale")
        .order_by("newsletter__sort_order", "newsletter__name")
    ]
    if not newsletters:
        return False
    language = subscriber.language or settings.LANGUAGE_CODE
    context = {
        "newsletters": newsletters,
        "confirm_url": rendering.reverse_in(
            language,
            "newsletters:confirm",
            token=tokens.confirm_token_make(subscriber_id=subscriber.pk),
        ),
        "days": settings.NEWSLETTERS_CONFIRM_DAYS,
        "language_code": language,
    }
    with translation.override(language):
        subject = _("Confirm your newsletter subscription")
        text = render_to_string("newsletters/emails/confirm.txt", context)
        html = render_to_string("newsletters/emails/confirm.html", context)
        sender = formataddr((_("Broadsheet newsletters"), settings.NEWSLETTERS_FROM_EMAIL))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def issue_test_send(*, issue_id: int, email: str) -> None:
    """Send the issue as it stands now to one editor, marked as a test; its links to the
    preference and unsubscribe pages go to the newsletters page instead."""
    issue = Issue.objects.select_related("newsletter__locale").get(pk=issue_id)
    rendered = rendering.issue_render(issue=issue)
    language = issue.newsletter.language_code
    landing = rendering.reverse_in(language, "newsletters:index")
    with translation.override(language):
        subject = _("[Test] %(subject)s") % {"subject": rendered.subject}
    message = EmailMultiAlternatives(
        subject=subject,
        body=rendered.text.replace(rendering.UNSUBSCRIBE_PLACEHOLDER, landing).replace(
            rendering.PREFERENCES_PLACEHOLDER, landing
        ),
        from_email=rendering.from_address(issue.newsletter),
        to=[email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(
        rendered.html.replace(rendering.UNSUBSCRIBE_PLACEHOLDER, landing).replace(
            rendering.PREFERENCES_PLACEHOLDER, landing
        ),
        "text/html",
    )
    message.send()
