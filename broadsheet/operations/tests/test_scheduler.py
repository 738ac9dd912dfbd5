"""Every periodic job in one list, run by the scheduler (and the demo) when due."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from pathlib import Path

from django.core.management import call_command, get_commands

from broadsheet.operations import scheduler
from broadsheet.operations.periodic import MINUTE, PERIODIC_JOBS, PeriodicJob

ROOT = Path(__file__).resolve().parents[3]


def test_every_periodic_job_of_the_site_is_in_the_one_list_and_exists():
    commands = [job.command for job in PERIODIC_JOBS]
    assert set(commands) == {
        "publish_scheduled",
        "newsletters_tick",
        "audience_tick",
        "access_tick",
        "agency_poll",
        "subscriptions_expire",
        "stripe_replay_events",
    }
    assert set(commands) <= set(get_commands())


def test_the_demo_runs_the_scheduler_rather_than_a_list_of_its_own():
    run_py = (ROOT / "run.py").read_text()
    assert '"manage.py", "scheduler"' in run_py
    for job in PERIODIC_JOBS:
        assert f'"{job.command}"' not in run_py


def test_the_crontab_block_lists_every_job_with_its_period(capsys):
    call_command("scheduler", "--print-crontab", "/srv/broadsheet")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(PERIODIC_JOBS)
    assert "* * * * * cd /srv/broadsheet && .venv/bin/python manage.py publish_scheduled" in lines
    assert (
        "0 * * * * cd /srv/broadsheet && .venv/bin/python manage.py subscriptions_expire" in lines
    )


class FakeTime:
    """The scheduler's clock and wait: waiting moves the clock, and the test ends the run."""

    def __init__(self, *, until: float):
        self.now = 0.0
        self.until = until
        self.stopping = threading.Event()
        self.runs: list[tuple[str, float]] = []

    def clock(self) -> float:
        return self.now

    def runner(self, job: PeriodicJob) -> None:
        self.runs.append((job.command, self.now))
        self.now += 5  # every run takes a while

    def install(self) -> None:
        def wait(seconds: float) -> bool:
            self.now += seconds
            if self.now >= self.until:
                self.stopping.set()
            return self.stopping.is_set()

        self.stopping.wait = wait  # type: ignore[method-assign]


def test_each_job_runs_when_due_counted_from_its_last_start():
    every_minute = PeriodicJob("every_minute", MINUTE)
    hourly = PeriodicJob("hourly", timedelta(hours=1))
    fake = FakeTime(until=2 * 3600)
    fake.install()
    scheduler.run_forever(
        [every_minute, hourly], stopping=fake.stopping, clock=fake.clock, runner=fake.runner
    )
    minute_runs = [at for command, at in fake.runs if command == "every_minute"]
    hourly_runs = [at for command, at in fake.runs if command == "hourly"]
    assert hourly_runs == [5.0, 3605.0]
    # Once a minute, however long the hourly job took: never twice within a minute.
    assert all(later - earlier >= 60 for earlier, later in itertools.pairwise(minute_runs))
    assert 115 <= len(minute_runs) <= 121


def test_a_job_that_is_not_configured_is_skipped(settings):
    settings.STRIPE_SECRET_KEY = ""
    outcome = scheduler.job_run(
        PeriodicJob("stripe_replay_events", MINUTE, needs_setting="STRIPE_SECRET_KEY")
    )
    assert outcome.skipped


def test_a_failing_or_hanging_job_does_not_stop_the_others():
    outcomes = scheduler.run_once(
        [
            PeriodicJob("no_such_command", MINUTE),
            PeriodicJob(
                "shell",
                MINUTE,
                args=("-c", "import time; time.sleep(120)"),
                timeout=timedelta(seconds=3),
            ),
            PeriodicJob("check", MINUTE),
        ]
    )
    assert [outcome.returncode for outcome in outcomes] == [1, None, 0]
