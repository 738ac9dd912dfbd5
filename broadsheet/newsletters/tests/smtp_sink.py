"""A real SMTP server for tests and benchmarks (aiosmtpd, in a thread of this process).

It records every message it accepts, and can refuse some: at RCPT (`refuse_rcpt`) or after
the end of DATA (`refuse_data`), each a function of (recipient, attempt number) returning an
SMTP reply such as "451 4.3.0 Try later" or None to accept.

Like Postfix, and unlike aiosmtpd left to itself, it finishes reading what a client sent
before hanging up: a message whose final "." line arrived is accepted even if the client died
before reading the reply. (aiosmtpd cancels its session at EOF and drops such a message, which
would make a killed sender look as if it lost mail that a real server would have queued.)
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)

Refusal = Callable[[str, int], str | None]


@dataclass
class Received:
    mail_from: str
    rcpt: str
    message_id: str
    content: bytes


@dataclass
class SinkHandler:
    refuse_rcpt: Refusal | None = None
    refuse_data: Refusal | None = None
    keep_content: bool = True
    # Say PIPELINING in the EHLO reply, as Postfix and most relays do (aiosmtpd handles
    # pipelined commands but does not announce it by itself).
    pipelining: bool = True
    received: list[Received] = field(default_factory=list)
    rcpt_attempts: Counter = field(default_factory=Counter)
    data_attempts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses = [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self.lock:
            self.rcpt_attempts[address] += 1
            attempt = self.rcpt_attempts[address]
        if self.refuse_rcpt is not None:
            reply = self.refuse_rcpt(address, attempt)
            if reply:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        rcpt = envelope.rcpt_tos[0]
        with self.lock:
            self.data_attempts[rcpt] += 1
            attempt = self.data_attempts[rcpt]
        if self.refuse_data is not None:
            reply = self.refuse_data(rcpt, attempt)
            if reply:
                return reply
        found = MESSAGE_ID.search(envelope.content[:4000])
        message_id = found.group(1).decode() if found else ""
        content = envelope.content if self.keep_content else b""
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.append(Received(envelope.mail_from, address, message_id, content))
        return "250 OK queued"

    def count_by_recipient(self) -> Counter:
        with self.lock:
            return Counter(r.rcpt for r in self.received)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.rcpt_attempts.clear()
            self.data_attempts.clear()


class _FinishingSMTP(SMTP):
    def eof_received(self):
        asyncio.StreamReaderProtocol.eof_received(self)  # the reader sees EOF after the data
        return False

    def connection_lost(self, error):
        if self._timeout_handle is not None:
            self._timeout_handle.cancel()
        # End of stream after whatever is buffered; the session reads it, then stops.
        asyncio.StreamReaderProtocol.connection_lost(self, None)

    async def push(self, status):
        try:
            await super().push(status)
        except ConnectionError:
            self.transport = None  # the client is gone: end the session loop


class _Controller(Controller):
    def factory(self):
        return _FinishingSMTP(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPSink:
    """Start with `with SMTPSink() as sink:`; `sink.port`, `sink.handler.received`."""

    def __init__(self, handler: SinkHandler | None = None, port: int | None = None):
        self.handler = handler or SinkHandler()
        self.port = port or free_port()
        self.controller = _Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )

    def __enter__(self) -> SMTPSink:
        # aiosmtpd logs every client that hangs up mid-session as an error; here that is the
        # point of the exercise.
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
