"""Turning an issue into email: rendered once per issue, personalised cheaply per recipient.

The HTML and text of an issue are rendered once, when its send starts, with placeholders for
the only personal parts (the unsubscribe and preference links), and frozen on the issue. Each
recipient's message is that text with two string replacements and its own headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import selectors, tokens
from .models import Issue, Newsletter
from .transports import smtp_data_bytes

UNSUBSCRIBE_PLACEHOLDER = "%%BS-UNSUBSCRIBE-URL%%"
PREFERENCES_PLACEHOLDER = "%%BS-PREFERENCES-URL%%"


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def reverse_in(language_code: str, name: str, **kwargs) -> str:
    """An absolute URL of one of our pages, under the edition prefix of that language."""
    with translation.override(language_code):
        return absolute_url(reverse(name, kwargs=kwargs or None))


def from_address(newsletter: Newsletter) -> str:

    address = newsletter.sender_email or settings.NEWSLETTERS_FROM_EMAIL
    name = newsletter.sender_name or newsletter.name
    return formataddr((name, address))


def sender_domain(newsletter: Newsletter) -> str:
    address = newsletter.sender_email or settings.NEWSLETTERS_FROM_EMAIL
    return address.rpartition("@")[2] or "localhost"


def unsubscribe_mailbox(newsletter: Newsletter) -> str:
    return settings.NEWSLETTERS_UNSUBSCRIBE_EMAIL or f"unsubscribe@{sender_domain(newsletter)}"


def bounce_address(newsletter: Newsletter) -> str:
    return settings.NEWSLETTERS_BOUNCE_EMAIL or (
        newsletter.sender_email or settings.NEWSLETTERS_FROM_EMAIL
    )


@dataclass(frozen=True)
class Personal:
    email: str
    message_id: str
    unsubscribe_url: str
    preferences_url: str
    list_unsubscribe: str


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    html: str
    text: str


def _item_context(item) -> dict:
    article = item.article
    image_url = ""
    if article.lead_image_id:
        rendition = article.lead_image.get_rendition("fill-600x338|format-jpeg")
        image_url = absolute_url(rendition.url)
    return {
        "title": article.title,
        "blurb": item.blurb or article.standfirst,
        "url": article.get_full_url() or absolute_url(article.get_url() or "/"),
        "image_url": image_url,
        "image_alt": article.lead_image_caption or article.title,
        "source": item.source,
    }


def issue_render(*, issue: Issue) -> RenderedIssue:
    """The issue's subject, HTML and text, in its edition's language, with placeholders."""
    newsletter = issue.newsletter
    language = newsletter.language_code
    items = [_item_context(item) for item in selectors.issue_items(issue=issue)]
    context = {
        "issue": issue,
        "newsletter": newsletter,
        "most_read": [i for i in items if i["source"] == "most_read"],
        "others": [i for i in items if i["source"] != "most_read"],
        "items": items,
        "web_url": reverse_in(
            language, "newsletters:issue", slug=newsletter.slug, issue_id=issue.pk
        ),
        "archive_url": reverse_in(language, "newsletters:archive", slug=newsletter.slug),
        "home_url": absolute_url(f"/{language}/"),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "language_code": language,
    }
    with translation.override(language):
        html = render_to_string("newsletters/emails/issue.html", context)
        text = render_to_string("newsletters/emails/issue.txt", context)
    return RenderedIssue(subject=issue.subject, html=html, text=text)


class IssueMessages:
    """Builds each recipient's message of one frozen issue; made once per worker per issue."""

    def __init__(self, issue: Issue):
        newsletter = issue.newsletter
        self.issue_id = issue.pk
        self.newsletter_id = newsletter.pk
        self.language = newsletter.language_code
        self.subject = issue.rendered_subject
        self.html = issue.rendered_html
        self.text = issue.rendered_text
        self.from_email = from_address(newsletter)
        self.envelope_from = bounce_address(newsletter)
        self.domain = sender_domain(newsletter)
        self.mailbox = unsubscribe_mailbox(newsletter)
        self.list_id = f"{newsletter.name} <{newsletter.slug}.{self.language}.{self.domain}>"
        with translation.override(self.language):
            self._unsubscribe_path = reverse(
                "newsletters:unsubscribe", kwargs={"token": "TOKEN"}
            ).replace("TOKEN/", "")
            self._preferences_path = reverse(
                "newsletters:preferences", kwargs={"token": "TOKEN"}
            ).replace("TOKEN/", "")

    def message_id(self, subscriber_id: int) -> str:
        return tokens.message_id_make(
            issue_id=self.issue_id, subscriber_id=subscriber_id, domain=self.domain
        )

    def _personal(self, subscriber_id: int) -> tuple[str, str, str]:
        """The recipient's unsubscribe URL, preference URL and List-Unsubscribe value."""
        unsubscribe_token = tokens.unsubscribe_token_make(
            subscriber_id=subscriber_id, newsletter_id=self.newsletter_id, issue_id=self.issue_id
        )
        unsubscribe_url = absolute_url(f"{self._unsubscribe_path}{unsubscribe_token}/")
        preferences_url = absolute_url(
            f"{self._preferences_path}{tokens.manage_token_make(subscriber_id=subscriber_id)}/"
        )
        mailto = f"mailto:{self.mailbox}?subject={quote('unsubscribe ' + unsubscribe_token)}"
        return unsubscribe_url, preferences_url, f"<{mailto}>, <{unsubscribe_url}>"

    def personal(self, *, subscriber_id: int, email: str, message_id: str = "") -> Personal:
        """What differs between two recipients' messages of this issue (`message_id`: the
        one stored with the delivery, else made here)."""
        unsubscribe_url, preferences_url, list_unsubscribe = self._personal(subscriber_id)
        return Personal(
            email=email,
            message_id=message_id or self.message_id(subscriber_id),
            unsubscribe_url=unsubscribe_url,
            preferences_url=preferences_url,
            list_unsubscribe=list_unsubscribe,
        )

    def batch_message(
        self, recipients: list[Personal], *, merge_field: str, metadata: dict | None = None
    ) -> EmailMultiAlternatives:
        """One message for a provider's batch API (django-anymail's batch sending): the same
        HTML and text for every recipient, with the provider's merge fields (`merge_field`,
        e.g. "%recipient.{}%" for Mailgun) where the personal links go; each recipient's
        links in `merge_data`, their Message-ID and List-Unsubscribe in `merge_headers`.
        Every recipient gets a message of their own (none sees the others' addresses)."""
        unsubscribe = merge_field.format("unsubscribe_url")
        preferences = merge_field.format("preferences_url")
        message = self._message(
            email="",
            message_id="",
            list_unsubscribe="",
            text=self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe).replace(
                PREFERENCES_PLACEHOLDER, preferences
            ),
            html=self.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe).replace(
                PREFERENCES_PLACEHOLDER, preferences
            ),
        )
        for name in ("Message-ID", "List-Unsubscribe"):
            del message.extra_headers[name]
        message.to = [r.email for r in recipients]
        # Anymail's ESP extensions of the message (anymail ships no type information).
        message.merge_data = {  # type: ignore[attr-defined]
            r.email: {"unsubscribe_url": r.unsubscribe_url, "preferences_url": r.preferences_url}
            for r in recipients
        }
        message.merge_headers = {  # type: ignore[attr-defined]
            r.email: {"Message-ID": r.message_id, "List-Unsubscribe": r.list_unsubscribe}
            for r in recipients
        }
        message.metadata = {  # type: ignore[attr-defined]
            "nl_issue": str(self.issue_id),
            **(metadata or {}),
        }
        return message

    def _message(
        self, *, email: str, message_id: str, list_unsubscribe: str, text: str, html: str
    ) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            from_email=self.from_email,
            to=[email],
            headers={
                "Message-ID": message_id,
                "List-Id": self.list_id,
                "List-Unsubscribe": list_unsubscribe,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": self.language,
                "Auto-Submitted": "auto-generated",
                "Precedence": "bulk",
            },
        )
        message.attach_alternative(html, "text/html")
        return message

    def build(
        self, *, subscriber_id: int, email: str, message_id: str = ""
    ) -> EmailMultiAlternatives:
        """The recipient's message as an EmailMessage (for any Django email backend)."""
        unsubscribe_url, preferences_url, list_unsubscribe = self._personal(subscriber_id)
        return self._message(
            email=email,
            message_id=message_id or self.message_id(subscriber_id),
            list_unsubscribe=list_unsubscribe,
            text=self.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
                PREFERENCES_PLACEHOLDER, preferences_url
            ),
            html=self.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url).replace(
                PREFERENCES_PLACEHOLDER, preferences_url
            ),
        )

    def smtp_template(self) -> bytes | None:
        """The whole message as SMTP sends it, with placeholders for the personal parts:
        built once per batch, so that each recipient costs a few byte replacements instead of
        a MIME generation. None when a placeholder did not survive the MIME encoding (a body
        line too long for 8bit gets quoted-printable); then each message is built in full."""
        data = smtp_data_bytes(
            self._message(
                email=_TO,
                message_id=_MESSAGE_ID,
                list_unsubscribe=_LIST_UNSUBSCRIBE,
                text=self.text,
                html=self.html,
            )
        )
        for marker in (_TO, _MESSAGE_ID, _LIST_UNSUBSCRIBE, UNSUBSCRIBE_PLACEHOLDER):
            if marker.encode() not in data:
                return None
        return data

    def smtp_bytes(
        self, template: bytes, *, subscriber_id: int, email: str, message_id: str = ""
    ) -> bytes | None:
        """One recipient's message from the batch's template; None if it must be built in
        full (an address that is not plain ASCII needs header encoding)."""
        if not email.isascii():
            return None
        unsubscribe_url, preferences_url, list_unsubscribe = self._personal(subscriber_id)
        return (
            template.replace(_TO.encode(), email.encode())
            .replace(_MESSAGE_ID.encode(), (message_id or self.message_id(subscriber_id)).encode())
            .replace(_LIST_UNSUBSCRIBE.encode(), list_unsubscribe.encode())
            .replace(UNSUBSCRIBE_PLACEHOLDER.encode(), unsubscribe_url.encode())
            .replace(PREFERENCES_PLACEHOLDER.encode(), preferences_url.encode())
        )


# Header placeholders of the SMTP template: short, so that header folding never splits them.
_TO = "x-bs-to@x-bs.invalid"
_MESSAGE_ID = "<x-bs-message-id@x-bs.invalid>"
_LIST_UNSUBSCRIBE = "<x-bs-list-unsubscribe>"
