"""What access does when a reader's devices are signed out: the slot is free at once, and
the ways out of a sharing flag end it (a password change, or signing the other devices out).

Registered with accounts' hooks, which run this after the account change commits.
"""

from __future__ import annotations

from broadsheet.accounts import hooks

from . import services


@hooks.after_sign_out
def signed_out(signed_out: hooks.SignOut) -> None:
    for device_key in signed_out.device_keys:
        services.slot_release_for_device(
            user=signed_out.user, device_key=device_key, now=signed_out.now
        )
    if signed_out.password_changed:
        reason = "password_changed"
    elif signed_out.devices_left <= 1:
        reason = "devices_signed_out"
    else:
        return
    services.sharing_flag_end_for_user(user=signed_out.user, reason=reason, now=signed_out.now)
