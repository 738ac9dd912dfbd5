"""How a message leaves: our SMTP client, or any Django email backend (e.g. anymail).

Both take a `hand_over` callback that records, durably, that this message is being handed to
the mail server, and that says False when another worker recorded it first. Where the message
counts as delivered by the server matters for exactly-once:

- SMTP: the whole message goes out except the final "." line; then `hand_over` commits; then
  the "." is written. A worker killed before the commit never wrote the ".", so the server
  discarded the message and a restart sends it again; killed after, the record says handed
  over and no restart sends it again. The only loss is a kill in the instant between that
  commit and the write of the "." (a few microseconds); see docs/newsletters.md.
- A Django backend: `hand_over` commits before the backend is called; a worker killed during
  the call leaves the message "handed over, outcome unknown", never sent twice.
"""

from __future__ import annotations

import logging
import operator
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)

SENT = "sent"
DEFERRED = "deferred"  # not accepted, try again later (4xx, connection trouble before hand-over)
FAILED = "failed"  # refused for good (5xx)
UNKNOWN = "unknown"  # handed over, but the server's answer was lost
TAKEN = "taken"  # another worker recorded this message first: not sent by us

# 5xx replies that say the mailbox does not exist or cannot take mail: a hard bounce.
HARD_BOUNCE_CODES = frozenset({550, 551, 553})

_EOL = re.compile(rb"\r\n|\n|\r")
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class Result:
    outcome: str
    code: int | None = None
    error: str = ""

    @property
    def hard_bounce(self) -> bool:
        return self.outcome == FAILED and self.code in HARD_BOUNCE_CODES


@dataclass(frozen=True)
class Outgoing:
    """One message to send: for SMTP its DATA bytes when ready-made, else the EmailMessage
    (built on demand for a Django backend)."""

    recipient: str
    data: bytes | None = None
    message: EmailMessage | None = None
    personal: object | None = None  # rendering.Personal, for a provider's batch call

    def smtp_data(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.message is not None  # an Outgoing carries its bytes or its message
        return smtp_data_bytes(self.message)


def _refusal(code: int, reply: bytes | str) -> Result:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    outcome = DEFERRED if 400 <= code < 500 else FAILED
    return Result(outcome, code, f"{code} {text}"[:300])


def smtp_data_bytes(message: EmailMessage) -> bytes:
    """The DATA section of a message as SMTP sends it: CRLF lines, leading dots doubled,
    ending in CRLF (the terminating "." line is not included)."""
    raw = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]  # Django's MIME classes take linesep
    raw = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", raw))
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    return raw


class SMTPTransport:
    """A small pool of reused SMTP connections (EMAIL_HOST, EMAIL_PORT, TLS and login from the
    settings), driven in step: a group of messages, one per connection, goes through each
    SMTP command together, so a group costs a handful of round trips, not each message."""

    wants_bytes = True

    def __init__(self, connections: int | None = None) -> None:
        self.size = max(1, connections or settings.NEWSLETTERS_SMTP_CONNECTIONS)
        self._pool: list[smtplib.SMTP | None] = [None] * self.size
        self._eight_bit = False
        self._pipelining = False

    def _open(self) -> smtplib.SMTP:
        timeout = settings.EMAIL_TIMEOUT or 30
        smtp: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            smtp = smtplib.SMTP_SSL(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
        # The final "." of each message is a small write after the message: with Nagle's
        # algorithm on, the kernel holds it until the server acknowledges the data, which a
        # server with delayed ACKs does after up to 40 ms. Every group paid that wait.
        assert smtp.sock is not None  # connected by the constructor
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo()
        if settings.EMAIL_USE_TLS:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        self._eight_bit = smtp.has_extn("8bitmime")
        self._pipelining = smtp.has_extn("pipelining")
        return smtp

    def _drop(self, slot: int) -> None:
        # Closing mid-DATA makes the server discard the message (RFC 5321 §4.1.1.4).
        smtp = self._pool[slot]
        self._pool[slot] = None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self) -> None:
        for slot, smtp in enumerate(self._pool):
            if smtp is not None:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    pass
            self._drop(slot)

    def deliver(
        self, *, envelope_from: str, message: EmailMessage, hand_over: Callable[[], bool]
    ) -> Result:
        """One message (a group of one)."""
        results = self.deliver_group(
            envelope_from=envelope_from,
            messages={0: Outgoing(recipient=message.to[0], message=message)},
            hand_over=lambda keys, complete: complete(set(keys) if hand_over() else set()),
        )
        return results[0]

    def deliver_group(
        self,
        *,
        envelope_from: str,
        messages: dict,
        hand_over: Callable[[list, Callable[[set], None]], object],
    ) -> dict:
        """Send up to `size` messages, one per connection. `hand_over(keys, complete)`
        records, in one commit, the messages about to be completed, and calls
        `complete(recorded)` once that commit is certain; only those get their final "."."""
        if len(messages) > self.size:
            raise ValueError(f"at most {self.size} messages at a time")
        results: dict = {}
        active: dict = {}  # slot -> key
        for slot, key in enumerate(messages):
            try:
                if self._pool[slot] is None:
                    self._pool[slot] = self._open()
                active[slot] = key
            except (smtplib.SMTPException, OSError) as error:
                self._drop(slot)
                results[key] = Result(DEFERRED, None, f"before hand-over: {error}"[:300])
        options = " BODY=8BITMIME" if self._eight_bit else ""
        commands = {
            slot: [
                f"MAIL FROM:<{envelope_from}>{options}",
                f"RCPT TO:<{messages[key].recipient}>",
                "DATA",
            ]
            for slot, key in active.items()
        }
        expected = (250, (250, 251), 354)
        steps = [slice(0, 3)] if self._pipelining else [slice(0, 1), slice(1, 2), slice(2, 3)]
        for step in steps:
            for slot in list(active):
                try:
                    self._pool[slot].send("".join(c + "\r\n" for c in commands[slot][step]))
                except (smtplib.SMTPException, OSError) as error:
                    self._fail(slot, active, results, f"before hand-over: {error}")
            for slot in list(active):
                for index in range(step.start, step.stop):
                    try:
                        code, reply = self._pool[slot].getreply()
                    except (smtplib.SMTPException, OSError) as error:
                        self._fail(slot, active, results, f"before hand-over: {error}")
                        break
                    wanted = expected[index]
                    ok = code in wanted if isinstance(wanted, tuple) else code == wanted
                    if not ok:
                        pending = (2 - index) if self._pipelining else 0
                        self._refused(slot, active, results, code, reply, pending=pending)
                        break
        for slot in list(active):
            try:
                self._pool[slot].send(messages[active[slot]].smtp_data())
            except (smtplib.SMTPException, OSError) as error:
                self._fail(slot, active, results, f"before hand-over: {error}")
        if not active:
            return results

        def complete(handed: set) -> None:
            # Runs the moment the hand-over is committed: the final line of each message
            # recorded as handed over; the others are abandoned mid-DATA (discarded).
            for slot in list(active):
                if active[slot] not in handed:
                    results[active.pop(slot)] = Result(TAKEN)
                    self._drop(slot)
            for slot in list(active):
                try:
                    self._pool[slot].send(b".\r\n")
                except (smtplib.SMTPException, OSError) as error:
                    self._fail(slot, active, results, f"after hand-over: {error}", UNKNOWN)

        hand_over(list(active.values()), complete)
        for slot, key in list(active.items()):
            try:
                code, reply = self._pool[slot].getreply()
            except (smtplib.SMTPException, OSError) as error:
                self._fail(slot, active, results, f"after hand-over: {error}", UNKNOWN)
                continue
            results[key] = Result(SENT, code) if code == 250 else _refusal(code, reply)
        return results

    def _fail(self, slot, active, results, error: str, outcome: str = DEFERRED) -> None:
        results[active.pop(slot)] = Result(outcome, None, error[:300])
        self._drop(slot)

    def _refused(self, slot, active, results, code, reply, *, pending: int) -> None:
        results[active.pop(slot)] = _refusal(code, reply)
        smtp = self._pool[slot]
        try:
            # The replies to the rest of the pipelined commands (an error for DATA) are still
            # on their way: read them before resetting.
            for _ in range(pending):
                smtp.getreply()
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop(slot)


class BackendTransport:
    """Any Django email backend (EMAIL_BACKEND): anymail's providers, the console, locmem."""

    size = 50
    wants_bytes = False

    def __init__(self) -> None:
        self._connection = get_connection(fail_silently=False)
        self._opened = False

    def close(self) -> None:
        if self._opened:
            self._connection.close()
            self._opened = False

    def deliver(
        self, *, envelope_from: str, message: EmailMessage, hand_over: Callable[[], bool]
    ) -> Result:
        if not self._opened:
            self._connection.open()
            self._opened = True
        if not hand_over():
            return Result(TAKEN)
        try:
            sent = self._connection.send_messages([message])
        except Exception as error:  # noqa: BLE001  (each provider raises its own errors)
            status = getattr(error, "status_code", None)
            text = f"{type(error).__name__}: {error}"[:300]
            if type(error).__name__ == "AnymailRecipientsRefused":
                return Result(FAILED, 550, text)
            if isinstance(status, int) and 400 <= status < 500 and status != 429:
                return Result(FAILED, None, text)
            if isinstance(status, int):
                return Result(DEFERRED, None, text)
            # No answer from the provider: it may have taken the message.
            return Result(UNKNOWN, None, text)
        return Result(SENT, 250) if sent else Result(UNKNOWN, None, "backend sent nothing")

    def deliver_group(
        self, *, envelope_from: str, messages: dict, hand_over: Callable[..., set]
    ) -> dict:
        handed = hand_over(list(messages), lambda claimed: None)
        return {
            key: self.deliver(
                envelope_from=envelope_from,
                message=outgoing.message,
                hand_over=partial(operator.contains, handed, key),
            )
            for key, outgoing in messages.items()
        }


# How each provider writes a per-recipient merge field in a batch message's body (anymail's
# merge_data "on the fly", no stored template). NEWSLETTERS_PROVIDER_MERGE_FIELD overrides it
# (a format string with one {} for the field's name) for another anymail provider.
MERGE_FIELDS = {"mailgun": "%recipient.{}%"}

# Answers of a provider that mean "this request is malformed" (one bad address refuses the
# whole batch): the group is split in halves and sent again, down to the one at fault.
_REQUEST_REFUSED = frozenset({400, 422})


class ProviderTransport:
    """An email provider's batch API through django-anymail: one API call sends a group of up
    to NEWSLETTERS_PROVIDER_BATCH_SIZE (500) recipients, each their own message built by the
    provider from one body and per-recipient data (anymail's merge_data and merge_headers:
    the personal links, a deterministic Message-ID, List-Unsubscribe).

    The group's hand-over is committed before the call. The call's outcome is each
    recipient's: accepted (sent), refused for good (failed), "try later" (429, 5xx, or no
    connection at all: deferred, sent again later, which is safe since the provider took
    nothing), or unknown (the request went out and no answer came back: unconfirmed, never
    sent again, since the provider may have taken it)."""

    wants_bytes = False
    kind = "provider"

    def __init__(self, messages=None) -> None:
        size = getattr(settings, "NEWSLETTERS_PROVIDER_BATCH_SIZE", 500)
        self.size = max(1, min(int(size), 1000))
        self._messages = messages
        self._connection = get_connection(fail_silently=False)
        esp = getattr(self._connection, "esp_name", "").lower()
        self.merge_field = getattr(settings, "NEWSLETTERS_PROVIDER_MERGE_FIELD", "") or (
            MERGE_FIELDS.get(esp, "")
        )
        if not self.merge_field or self.merge_field.count("{}") != 1:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"NEWSLETTERS_TRANSPORT=provider needs an anymail backend for "
                f"{', '.join(MERGE_FIELDS)} in EMAIL_BACKEND, or "
                "NEWSLETTERS_PROVIDER_MERGE_FIELD (e.g. '%recipient.{}%') for another provider"
            )
        self._opened = False

    def close(self) -> None:
        if self._opened:
            self._connection.close()
            self._opened = False

    def deliver_group(
        self, *, envelope_from: str, messages: dict, hand_over: Callable[..., set]
    ) -> dict:
        """`messages`: key -> Outgoing with `personal` set. `hand_over(keys, None)` commits
        the hand-over of the group and returns the keys that are ours to send."""
        if len(messages) > self.size:
            raise ValueError(f"at most {self.size} messages at a time")
        if not self._opened:
            self._connection.open()
            self._opened = True
        handed = hand_over(list(messages), None)
        results = {key: Result(TAKEN) for key in messages if key not in handed}
        keys = [key for key in messages if key in handed]
        if keys:
            results.update(self._send(keys, messages))
        return results

    def _send(self, keys: list, messages: dict) -> dict:
        message = self._messages.batch_message(
            [messages[key].personal for key in keys], merge_field=self.merge_field
        )
        try:
            self._connection.send_messages([message])
        except Exception as error:  # noqa: BLE001  (each provider raises its own errors)
            status = getattr(getattr(error, "response", None), "status_code", None)
            text = f"{type(error).__name__}: {error}"[:300]
            if type(error).__name__ == "AnymailRecipientsRefused":
                return self._by_recipient(keys, messages, message, text)
            if status in _REQUEST_REFUSED and len(keys) > 1:
                # Refused as a whole, nothing sent: find the recipient at fault by halves.
                half = len(keys) // 2
                return self._send(keys[:half], messages) | self._send(keys[half:], messages)
            if status in _REQUEST_REFUSED:
                return {keys[0]: Result(FAILED, 553, text)}
            if isinstance(status, int):
                # 429 and 5xx: try later; 401/403/404 and the like are our configuration's
                # fault, not the recipients': try later too, until the soft retries run out.
                return dict.fromkeys(keys, Result(DEFERRED, None, text))
            if _not_connected(error):
                reason = f"before hand-over: {text}"[:300]
                return dict.fromkeys(keys, Result(DEFERRED, None, reason))
            # The request went out and no answer came: the provider may have taken it.
            return dict.fromkeys(keys, Result(UNKNOWN, None, text))
        return self._by_recipient(keys, messages, message, "")

    @staticmethod
    def _by_recipient(keys, messages, message, text: str) -> dict:
        status = getattr(message, "anymail_status", None)
        recipients = getattr(status, "recipients", None) or {}
        results = {}
        for key in keys:
            email = messages[key].recipient
            outcome = recipients.get(email)
            state = getattr(outcome, "status", None)
            if state in ("queued", "sent", "scheduled"):
                results[key] = Result(SENT, 250)
            elif state == "invalid":
                results[key] = Result(FAILED, 553, text or "the provider says: invalid address")
            elif state == "rejected":
                results[key] = Result(FAILED, None, text or "the provider rejected it")
            elif state == "failed":
                results[key] = Result(DEFERRED, None, text or "the provider failed to send it")
            else:
                error = text or f"no status from the provider: {state}"
                results[key] = Result(UNKNOWN, None, error)
        return results


def _not_connected(error: BaseException) -> bool:
    """True when the request never reached the provider (connection refused, DNS, connect
    timeout): safe to send again."""
    import requests

    cause, seen = error, set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, requests.exceptions.ConnectTimeout):
            return True
        if type(cause).__name__ in ("NewConnectionError", "NameResolutionError"):
            return True
        if isinstance(cause, ConnectionRefusedError):
            return True
        cause = cause.__cause__ or cause.__context__ or _reason(cause)
    return False


def _reason(error: BaseException):
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    args = getattr(error, "args", ())
    for arg in args:
        if isinstance(arg, BaseException):
            return arg
        inner = getattr(arg, "reason", None)
        if isinstance(inner, BaseException):
            return inner
    return None


def transport_choice() -> str:
    choice = settings.NEWSLETTERS_TRANSPORT
    if choice == "auto":
        backend = settings.EMAIL_BACKEND
        if backend == "django.core.mail.backends.smtp.EmailBackend":
            return "smtp"
        esp = backend.removeprefix("anymail.backends.").partition(".")[0]
        provider = backend.startswith("anymail.backends.") and (
            esp in MERGE_FIELDS or bool(settings.NEWSLETTERS_PROVIDER_MERGE_FIELD)
        )
        return "provider" if provider else "backend"
    return choice


def transport_open(messages=None) -> SMTPTransport | BackendTransport | ProviderTransport:
    """The configured transport; `size` is how many messages it takes at a time. `messages`
    (the issue's IssueMessages) is what the provider transport builds its batches from."""
    choice = transport_choice()
    if choice == "smtp":
        return SMTPTransport()
    if choice == "provider":
        return ProviderTransport(messages)
    return BackendTransport()
