"""Every periodic job of a Broadsheet site, in one place: the scheduler process (`manage.py
scheduler`), its crontab alternative (`manage.py scheduler --print-crontab`) and the demo
(run.py) all run this list, so a new job cannot be left out of one of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class PeriodicJob:
    command: str
    every: timedelta
    args: tuple[str, ...] = ()
    # A setting that must be non-empty for the job to make sense (else it is skipped, not run
    # to fail every time), e.g. Stripe's key for replaying Stripe's events.
    needs_setting: str = ""
    # Longer than this and the run is killed, so that one stuck job cannot stop the others.
    timeout: timedelta = field(default=timedelta(minutes=10))

    def is_configured(self) -> bool:
        return not self.needs_setting or bool(getattr(settings, self.needs_setting, ""))

    def argv(self) -> list[str]:
        return [self.command, *self.args]


MINUTE = timedelta(minutes=1)

PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    # Wagtail's scheduled publishing and unpublishing (go-live and expiry times).
    PeriodicJob("publish_scheduled", MINUTE),
    # Digests composed, scheduled issues started, stalled sends revived.
    PeriodicJob("newsletters_tick", MINUTE),
    # Live view counters persisted, "most viewed" windows moved.
    PeriodicJob("audience_tick", MINUTE),
    # Sharing flags that cooled down are lifted.
    PeriodicJob("access_tick", MINUTE),
    # Agency sources whose interval passed are polled (in the task worker).
    PeriodicJob("agency_poll", MINUTE),
    # Comps and canceled subscriptions whose time ran out are ended.
    PeriodicJob("subscriptions_expire", timedelta(hours=1)),
    # Stripe events a webhook missed are applied; failed ones retried.
    PeriodicJob(
        "stripe_replay_events",
        timedelta(days=1),
        needs_setting="STRIPE_SECRET_KEY",
        timeout=timedelta(minutes=30),
    ),
)


def crontab_schedule(every: timedelta) -> str:
    """The five crontab fields for a job every minute, N minutes, hour or day."""
    minutes = int(every.total_seconds() // 60)
    if minutes < 60:
        return "* * * * *" if minutes <= 1 else f"*/{minutes} * * * *"
    if minutes < 24 * 60:
        return "0 * * * *" if minutes == 60 else f"0 */{minutes // 60} * * *"
    return "30 3 * * *"
