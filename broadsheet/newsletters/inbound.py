"""Mail that comes back to us over SMTP: bounces (RFC 3464 DSNs), complaints (RFC 5965 ARF
reports) and the mailto: half of List-Unsubscribe. Read by `manage.py newsletters_inbound`.
"""

from __future__ import annotations

import email
import logging
import re
from email import policy
from email.message import Message
from email.utils import collapse_rfc2231_value

from django.utils import timezone

from . import selectors, services, tokens
from .models import SuppressionReason

logger = logging.getLogger(__name__)

_UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe\s+(\S+)", re.IGNORECASE)


def _address(field_value: str) -> str:
    # "rfc822; someone@example.com" -> someone@example.com
    return field_value.partition(";")[2].strip().strip("<>").lower() if field_value else ""


def _returned_message_id(report: Message) -> str:
    for part in report.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0].get("Message-ID", "")
            if isinstance(payload, str):
                found = re.search(r"^Message-ID:\s*(\S+)", payload, re.MULTILINE | re.IGNORECASE)
                if found:
                    return found.group(1)
    return ""


def _delivery_status(report: Message) -> list[tuple[str, str]]:
    """(recipient, status) for every recipient block of a DSN that failed or is delayed."""
    failures = []
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload():
            if not isinstance(block, Message):
                continue
            action = (block.get("Action") or "").strip().lower()
            if action not in ("failed", "delayed"):
                continue
            recipient = _address(
                block.get("Final-Recipient") or block.get("Original-Recipient") or ""
            )
            if recipient:
                status = (block.get("Status") or "").strip()
                # Only a failure with a permanent (5.x.x) status is a hard bounce.
                failures.append((recipient, status if action == "failed" else "4" + status[1:]))
    return failures


def _complaint_recipient(report: Message) -> str:
    for part in report.walk():
        if part.get_content_type() == "message/feedback-report":
            fields = part.get_payload()
            block = (
                fields[0]
                if isinstance(fields, list) and fields and isinstance(fields[0], Message)
                else None
            )
            return (block.get("Original-Rcpt-To", "") if block else "").strip("<> ")
    return ""


def _recipient_of(message_id: str) -> str:
    # Many feedback loops leave out Original-Rcpt-To (RFC 6650 lets them redact it) but quote
    # the message, and its Message-ID names the delivery.
    delivery = selectors.delivery_by_message_id(message_id=message_id) if message_id else None
    return delivery.email if delivery is not None else ""


def inbound_message_handle(raw: bytes) -> str:
    """Act on one received message; returns what was done."""
    message = email.message_from_bytes(raw, policy=policy.compat32)
    now = timezone.now()
    report_type = collapse_rfc2231_value(message.get_param("report-type") or "").lower()
    if message.get_content_type() == "multipart/report" and report_type == "delivery-status":
        message_id = _returned_message_id(message)
        done = []
        for recipient, status in _delivery_status(message):
            if status.startswith("5"):
                services.subscriber_suppress(
                    email=recipient,
                    reason=SuppressionReason.HARD_BOUNCE,
                    now=now,
                    message_id=message_id,
                )
                done.append(f"hard bounce {status}")
            else:
                done.append(f"soft bounce {status}")
        return "; ".join(done) or "report without failures"
    if message.get_content_type() == "multipart/report" and report_type == "feedback-report":
        message_id = _returned_message_id(message)
        recipient = _complaint_recipient(message) or _recipient_of(message_id)
        if not recipient:
            return "complaint without recipient"
        services.subscriber_suppress(
            email=recipient, reason=SuppressionReason.COMPLAINT, now=now, message_id=message_id
        )
        return "complaint"
    found = _UNSUBSCRIBE_SUBJECT.search(message.get("Subject", ""))
    if found:
        try:
            claim = tokens.unsubscribe_token_read(found.group(1))
        except tokens.BadTokenError:
            return "unsubscribe with a bad token"
        services.subscription_unsubscribe(
            subscriber_id=claim.subscriber_id,
            newsletter_id=claim.newsletter_id,
            issue_id=claim.issue_id,
            now=now,
        )
        return "unsubscribed"
    return "ignored"
