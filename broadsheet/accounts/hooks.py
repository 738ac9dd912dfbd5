"""Where other apps plug into a reader's account without accounts importing them.

- Export sections: `export_section(name)` registers a function `(user) -> JSON-able` whose
  result goes under `name` in the reader's data export.
- Deletion checks: `deletion_check` registers `(user) -> str | None`; a message refuses the
  deletion ("cancel your subscription first").
- Deletion steps: `before_deletion` registers `(user, now) -> None`, run inside the deletion's
  transaction, before the user row goes.
- Signed out: `after_sign_out` registers `(SignOut) -> None`, run once per account service
  call that signed devices out (a sign-out, "everywhere else", a password change or reset, an
  account deletion), after its transaction commits: what a step does there (free a slot in
  Redis, end a sharing flag) never runs inside the transaction nor twice for one change.

Apps register in their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SignOut:
    """Devices of one reader that were signed out by one change, and why.

    `device_keys` are the signed-out Device ids as strings (the key access holds a slot
    under); empty when a password changed with no other device signed in.
    `password_changed` is true for a password change or reset: the change that ends a
    sharing flag whether or not other devices were signed in.
    """

    user: Any
    device_keys: tuple[str, ...]
    devices_left: int
    password_changed: bool
    now: datetime


_export_sections: dict[str, Callable[[Any], Any]] = {}
_deletion_checks: list[Callable[[Any], str | None]] = []
_before_deletion: list[Callable[[Any, datetime], None]] = []
_after_sign_out: list[Callable[[SignOut], None]] = []


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


def after_sign_out(function: Callable[[SignOut], None]) -> Callable[[SignOut], None]:
    if function not in _after_sign_out:
        _after_sign_out.append(function)
    return function


def export_sections() -> dict[str, Callable[[Any], Any]]:
    return dict(_export_sections)


def deletion_checks() -> list[Callable[[Any], str | None]]:
    return list(_deletion_checks)


def before_deletion_steps() -> list[Callable[[Any, datetime], None]]:
    return list(_before_deletion)


def after_sign_out_steps() -> list[Callable[[SignOut], None]]:
    return list(_after_sign_out)
