"""Emails the subscription services send (other than invitations, which a task renders):
in the language of the subscription's edition, on commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from broadsheet.accounts.services import email_message_enqueue

from ..models import OrganisationAdmin, Subscription


def removal_contact(*, subscription: Subscription, actor, staff: bool) -> str:
    """Whom a removed person can ask about it: the manager who removed them, else an admin
    of the organisation (Business) or the holder; empty if nobody (the email says to reply)."""
    if actor is not None and not staff and actor.email:
        return actor.email
    if subscription.organisation_id:
        admin = (
            OrganisationAdmin.objects.filter(organisation_id=subscription.organisation_id)
            .exclude(user__email="")
            .select_related("user")
            .order_by("added_at", "pk")
            .first()
        )
        if admin is not None:
            return admin.user.email
    holder = subscription.holder
    return holder.email if holder is not None else ""


def render_email(*, template: str, context: dict, language: str, to: str) -> EmailMessage:
    """Subject and body from subscriptions/emails/<template>_{subject,message}.txt, in this
    language (the edition's, whoever clicked: staff may work in another)."""
    with translation.override(language):
        context = {"site_name": settings.WAGTAIL_SITE_NAME, **context}
        subject = render_to_string(f"subscriptions/emails/{template}_subject.txt", context)
        body = render_to_string(f"subscriptions/emails/{template}_message.txt", context)
    return EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [to])


def absolute_url(name: str, *, language: str, **kwargs) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def seat_removed_email(*, subscription: Subscription, user, contact: str) -> None:
    """Tell this person, once the transaction commits, that their access through this
    subscription ended, in the language of the subscription's edition."""
    if not user.email:
        return
    language = subscription.plan.locale.language_code
    message = render_email(
        template="seat_removed",
        context={
            "plan": subscription.plan,
            "organisation": subscription.organisation,
            "contact": contact,
            "plans_url": absolute_url("subscriptions:plans", language=language),
        },
        language=language,
        to=user.email,
    )
    email_message_enqueue(message=message)
