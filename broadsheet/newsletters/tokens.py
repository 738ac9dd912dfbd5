"""Signed tokens in the links of our emails: whoever holds one received our email.

Confirmation links expire (NEWSLETTERS_CONFIRM_DAYS); preference and unsubscribe links do not,
since RFC 8058 asks that an unsubscribe link in an old email still works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "broadsheet.newsletters.confirm"
MANAGE_SALT = "broadsheet.newsletters.manage"
UNSUBSCRIBE_SALT = "broadsheet.newsletters.unsubscribe"


class BadTokenError(Exception):
    """The token was tampered with, is not ours, or has expired."""


@dataclass(frozen=True)
class UnsubscribeClaim:
    subscriber_id: int
    newsletter_id: int
    issue_id: int | None


def _signer(salt: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=salt)


def confirm_token_make(*, subscriber_id: int) -> str:
    return _signer(CONFIRM_SALT).sign(str(subscriber_id))


def confirm_token_read(token: str) -> int:
    max_age = timedelta(days=settings.NEWSLETTERS_CONFIRM_DAYS)
    try:
        return int(_signer(CONFIRM_SALT).unsign(token, max_age=max_age))
    except (signing.BadSignature, ValueError) as error:
        raise BadTokenError(str(error)) from error


def manage_token_make(*, subscriber_id: int) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign(str(subscriber_id))


def manage_token_read(token: str) -> int:
    try:
        return int(signing.Signer(salt=MANAGE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise BadTokenError(str(error)) from error


def unsubscribe_token_make(*, subscriber_id: int, newsletter_id: int, issue_id: int | None) -> str:
    value = f"{subscriber_id}.{newsletter_id}.{issue_id or 0}"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(value)


def unsubscribe_token_read(token: str) -> UnsubscribeClaim:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
        subscriber_id, newsletter_id, issue_id = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError) as error:
        raise BadTokenError(str(error)) from error
    return UnsubscribeClaim(subscriber_id, newsletter_id, issue_id or None)


def _message_id_tag(issue_id: int, subscriber_id: int) -> str:
    tag = salted_hmac("broadsheet.newsletters.message-id", f"{issue_id}:{subscriber_id}")
    return tag.hexdigest()[:16]


def message_id_make(*, issue_id: int, subscriber_id: int, domain: str) -> str:
    """The same Message-ID for one issue to one recipient, every time it is built: a retry is
    recognisable downstream as the same message."""
    return f"<nl{issue_id}.{subscriber_id}.{_message_id_tag(issue_id, subscriber_id)}@{domain}>"


@dataclass(frozen=True)
class MessageIdClaim:
    issue_id: int
    subscriber_id: int


def message_id_read(message_id: str) -> MessageIdClaim | None:
    """The issue and recipient of a Message-ID we made, or None if it is not one of ours (the
    tag is checked, so a forged report cannot name another reader)."""
    found = _MESSAGE_ID.fullmatch(message_id.strip().strip("<>").partition("@")[0])
    if found is None:
        return None
    issue_id, subscriber_id = int(found[1]), int(found[2])
    if not constant_time_compare(found[3], _message_id_tag(issue_id, subscriber_id)):
        return None
    return MessageIdClaim(issue_id, subscriber_id)


_MESSAGE_ID = re.compile(r"nl([0-9]{1,18})\.([0-9]{1,18})\.([0-9a-f]{16})")
