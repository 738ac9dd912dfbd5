"""The devices that read with a seat, as the slot names them: a Device's id, or "s<session>"."""

from __future__ import annotations

from broadsheet.accounts.models import Device


def device_name(device_key: str) -> str:
    """A readable name of the device ("Chrome on Android"); "" when it is not a Device."""
    if device_key.isdigit():
        device = Device.objects.filter(pk=int(device_key)).only("browser", "platform").first()
        if device is not None:
            return device.name
    return ""
