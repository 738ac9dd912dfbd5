"""A local stand-in for an email provider's batch API, for tests and benchmarks (no internet).

It answers like Mailgun's `POST /v3/<domain>/messages` (the API django-anymail's Mailgun
backend calls, and the one Ghost batches through): HTTP basic auth `api:<key>`, a form with
`from`, `to` (up to 1,000 addresses), `subject`, `text`, `html`, `h:<Header>` and `v:<var>`
fields, and `recipient-variables`, a JSON object of each recipient's values that Mailgun
substitutes for `%recipient.<name>%` anywhere in the message, headers included. It answers
`200 {"id": "<...>", "message": "Queued. Thank you."}`, 400 for a malformed request or an
invalid address (the whole request is refused, nothing is sent), 401 for a wrong key.

What it "sends" is recorded per recipient (the message after substitution: its Message-Id,
List-Unsubscribe, subject, text and HTML), so a test can check that every recipient got
exactly one personal message. `expand=False` only counts and checks (for the benchmark).

Faults, for tests: `fault(call_number, recipients)` may return an HTTP status to answer
instead (429, 500, 400, ...: nothing recorded), "drop" (record the messages, then close the
connection without answering: the provider took them but the answer was lost), or None.

Run it in a thread of this process (`with ProviderStandIn() as api:`) or in a process of its
own (`python -m broadsheet.newsletters.tests.provider_standin PORT`).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from .smtp_sink import free_port

MAX_RECIPIENTS = 1000
_VARIABLE = re.compile(r"%recipient\.([^%]+)%")
_MESSAGES = re.compile(r"^/v3/([^/]+)/messages$")

Fault = Callable[[int, list[str]], int | str | None]


@dataclass
class ProviderMessage:
    rcpt: str
    message_id: str
    list_unsubscribe: str
    subject: str
    text: str
    html: str
    headers: dict
    variables: dict  # the v: custom data, after substitution


@dataclass
class Call:
    number: int
    recipients: int
    status: int | str


class _RefusedError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _substitute(value: str, variables: dict) -> str:
    if "%recipient." not in value:
        return value
    return _VARIABLE.sub(lambda m: str(variables.get(m.group(1), "")), value)


@dataclass
class StandInState:
    api_key: str = "standin-key"
    expand: bool = True
    fault: Fault | None = None
    on_accept: Callable[[int], None] | None = None
    received: list[ProviderMessage] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def count_by_recipient(self) -> Counter:
        with self.lock:
            return Counter(m.rcpt for m in self.received)

    def handle(self, *, path: str, authorization: str, content_type: str, body: bytes):
        """(status, JSON answer) or (None, None) to drop the connection after recording."""
        found = _MESSAGES.match(path)
        if not found:
            return 404, {"message": "Not found"}
        expected = "Basic " + base64.b64encode(f"api:{self.api_key}".encode()).decode()
        if authorization != expected:
            return 401, {"message": "Invalid private key"}
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return 400, {"message": "expected a form (application/x-www-form-urlencoded)"}
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        try:
            recipients, variables = self._validate(form)
        except _RefusedError as refused:
            return refused.status, {"message": refused.message}
        number = next(self._numbers)
        fault = self.fault(number, recipients) if self.fault else None
        if isinstance(fault, int):
            with self.lock:
                self.calls.append(Call(number, len(recipients), fault))
            return fault, {"message": f"stand-in fault {fault}"}
        messages = self._messages(form, recipients, variables) if self.expand else []
        with self.lock:
            self.received.extend(messages)
            self.calls.append(Call(number, len(recipients), fault or 200))
        if self.on_accept is not None:
            self.on_accept(len(recipients))
        if fault == "drop":
            return None, None
        domain = found.group(1)
        queued = f"<{time.time():.6f}.{number}@{domain}>"
        return 200, {"id": queued, "message": "Queued. Thank you."}

    def _validate(self, form: dict) -> tuple[list[str], dict]:
        for name in ("from", "to", "subject"):
            if not form.get(name):
                raise _RefusedError(400, f"'{name}' parameter is missing")
        if not form.get("text") and not form.get("html"):
            raise _RefusedError(400, "Need at least one of 'text' or 'html' parameters specified")
        recipients = [address.lower() for _name, address in getaddresses(form["to"])]
        if len(recipients) > MAX_RECIPIENTS:
            raise _RefusedError(400, f"Too many recipients: at most {MAX_RECIPIENTS} per message")
        for address in recipients:
            local, _at, domain = address.rpartition("@")
            if not local or "." not in domain or domain.endswith(".invalid"):
                raise _RefusedError(400, "'to' parameter is not a valid address")
        variables = {}
        if "recipient-variables" in form:
            try:
                variables = json.loads(form["recipient-variables"][0])
            except ValueError as error:
                raise _RefusedError(400, f"recipient-variables: {error}") from error
            variables = {key.lower(): value for key, value in variables.items()}
        # Mailgun sends a batch (one message per recipient, none sees the others) only with
        # recipient-variables; without them, one message goes to everyone in `to`.
        if len(recipients) > 1 and not variables:
            raise _RefusedError(400, "stand-in: a batch needs recipient-variables")
        return recipients, variables

    def _messages(self, form: dict, recipients: list[str], variables: dict):
        subject = form["subject"][0]
        text = form.get("text", [""])[0]
        html = form.get("html", [""])[0]
        headers = {k[2:]: v[0] for k, v in form.items() if k.startswith("h:")}
        custom = {k[2:]: v[0] for k, v in form.items() if k.startswith("v:")}
        messages = []
        for rcpt in recipients:
            mine = variables.get(rcpt, {})
            own_headers = {k: _substitute(v, mine) for k, v in headers.items()}
            messages.append(
                ProviderMessage(
                    rcpt=rcpt,
                    message_id=own_headers.get("Message-Id", ""),
                    list_unsubscribe=own_headers.get("List-Unsubscribe", ""),
                    subject=_substitute(subject, mine),
                    text=_substitute(text, mine),
                    html=_substitute(html, mine),
                    headers=own_headers,
                    variables={k: _substitute(v, mine) for k, v in custom.items()},
                )
            )
        return messages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the provider's API and requests do
    state: StandInState

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, answer = self.server.state.handle(
            path=self.path,
            authorization=self.headers.get("Authorization", ""),
            content_type=self.headers.get("Content-Type", ""),
            body=body,
        )
        if status is None:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client killed mid-call
            super().handle_error(request, client_address)


class ProviderStandIn:
    """`with ProviderStandIn() as api:`; `api.url` for ANYMAIL's MAILGUN_API_URL,
    `api.state.received`, `api.state.count_by_recipient()`."""

    def __init__(self, state: StandInState | None = None, port: int | None = None):
        self.state = state or StandInState()
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/v3"
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def anymail_settings(self) -> dict:
        return {"MAILGUN_API_KEY": self.state.api_key, "MAILGUN_API_URL": self.url}

    def __enter__(self) -> ProviderStandIn:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.state = self.state
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def serve_forever(self) -> None:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.state = self.state
        self._server.serve_forever()


if __name__ == "__main__":
    import sys

    ProviderStandIn(StandInState(expand=False), port=int(sys.argv[1])).serve_forever()
