"""Background work of subscriptions: invitation emails, and ending what ran out."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import Invitation
from .services.staff import subscriptions_expire
from .tokens import invitation_url, token_hash


@task()
def invitation_email_send(*, invitation_id: int, token: str) -> bool:
    """Email an invitation link, in the language it was sent from. False if the invitation
    was withdrawn, accepted or renewed (a newer email carries another link) meanwhile."""
    invitation = (
        Invitation.objects.select_related("subscription__plan", "subscription__organisation")
        .select_related("invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.token_hash != token_hash(token):
        return False
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "plan": invitation.subscription.plan,
            "organisation": invitation.subscription.organisation,
            "inviter": invitation.invited_by,
            "url": invitation_url(token=token, language=invitation.language),
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        subject = " ".join(
            render_to_string("subscriptions/emails/invitation_subject.txt", context).split()
        )
        body = render_to_string("subscriptions/emails/invitation_message.txt", context)
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    return True


@task()
def subscriptions_expire_task() -> int:
    return subscriptions_expire(now=timezone.now())
