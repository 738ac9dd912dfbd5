"""A sending worker asked to stop (SIGTERM, SIGINT) stops between two groups of messages.

`manage.py db_worker` handles those signals itself by waiting for the running task to end,
and a send task runs until the whole send is done. While a send task runs, `stop_on_signals`
puts a handler in front of the worker's: it raises the flag the send loop reads between groups
(delivery.py), then lets the worker's own handler run (which stops it taking another task). A
second signal reaches the worker's handler too, which ends the process at once: what that
leaves behind is what any killed worker leaves (docs/newsletters.md).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_requested = threading.Event()

SIGNALS = (signal.SIGTERM, signal.SIGINT)


def stop_requested() -> bool:
    return _requested.is_set()


def stop_request() -> None:
    """Ask the send running in this process to stop (what the signal handler does)."""
    _requested.set()


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT raise the stop flag first."""
    _requested.clear()
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals (a test calling a task in a thread)
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}

    def handler(signum, frame) -> None:
        _requested.set()
        chained = previous[signum]
        if callable(chained):
            chained(signum, frame)

    for signum in SIGNALS:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, chained in previous.items():
            signal.signal(signum, chained)
