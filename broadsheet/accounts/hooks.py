"""Where other apps plug into a reader's account without accounts importing them.

- Export sections: `export_section(name)` registers a function `(user) -> JSON-able` whose
  result goes under `name` in the reader's data export.
- Deletion checks: `deletion_check` registers `(user) -> str | None`; a message refuses the
  deletion ("cancel your subscription first").
- Deletion steps: `before_deletion` registers `(user, now) -> None`, run inside the deletion's
  transaction, before the user row goes.

Apps register in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

_export_sections: dict[str, Callable[[Any], Any]] = {}
_deletion_checks: list[Callable[[Any], str | None]] = []
_before_deletion: list[Callable[[Any, datetime], None]] = []


def export_section(name: str) -> Callable:
    def register(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _export_sections[name] = function
        return function

    return register


def deletion_check(function: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    if function not in _deletion_checks:
        _deletion_checks.append(function)
    return function


def before_deletion(function: Callable[[Any, datetime], None]) -> Callable:
    if function not in _before_deletion:
        _before_deletion.append(function)
    return function


def export_sections() -> dict[str, Callable[[Any], Any]]:
    return dict(_export_sections)


def deletion_checks() -> list[Callable[[Any], str | None]]:
    return list(_deletion_checks)


def before_deletion_steps() -> list[Callable[[Any, datetime], None]]:
    return list(_before_deletion)
