"""The scheduler process: runs each periodic job (periodic.PERIODIC_JOBS) as its own
`manage.py` process when it is due, one after another, until SIGTERM or SIGINT.

A job in a process of its own: one that crashes, leaks or hangs (killed after its timeout)
leaves the scheduler and the other jobs running. Every job is idempotent, so a restarted
scheduler simply runs them all once at start."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .periodic import PERIODIC_JOBS, PeriodicJob

logger = logging.getLogger("broadsheet.scheduler")
MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


@dataclass
class JobOutcome:
    job: PeriodicJob
    returncode: int | None  # None: skipped (not configured) or killed after its timeout
    skipped: bool = False


def job_run(job: PeriodicJob) -> JobOutcome:
    if not job.is_configured():
        logger.info("periodic job %s skipped: %s is not set", job.command, job.needs_setting)
        return JobOutcome(job, None, skipped=True)
    started = time.monotonic()
    try:
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(MANAGE_PY), *job.argv()],
            cwd=MANAGE_PY.parent,
            stdin=subprocess.DEVNULL,
            timeout=job.timeout.total_seconds(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.error("periodic job %s killed after %s", job.command, job.timeout)
        return JobOutcome(job, None)
    log = logger.info if result.returncode == 0 else logger.error
    log(
        "periodic job %s exited %s after %.1f s",
        job.command,
        result.returncode,
        time.monotonic() - started,
    )
    return JobOutcome(job, result.returncode)


def run_once(jobs: Iterable[PeriodicJob] = PERIODIC_JOBS) -> list[JobOutcome]:
    return [job_run(job) for job in jobs]


def run_forever(
    jobs: Iterable[PeriodicJob] = PERIODIC_JOBS,
    *,
    stopping: threading.Event,
    clock: Callable[[], float] = time.monotonic,
    runner: Callable[[PeriodicJob], object] = job_run,
) -> None:
    """Run each job when due until `stopping` is set (the command sets it on SIGTERM)."""
    jobs = tuple(jobs)
    next_run = dict.fromkeys(jobs, clock())
    logger.info("scheduler started: %s", ", ".join(job.command for job in jobs))
    while not stopping.is_set():
        for job in jobs:
            if stopping.is_set():
                break
            if next_run[job] <= clock():
                # Counted from the start of the run: a job every minute stays every minute
                # however long the others take, and one that overran runs once, not several.
                due_from = clock()
                runner(job)
                next_run[job] = due_from + job.every.total_seconds()
        stopping.wait(max(0.0, min(next_run.values()) - clock()))
    logger.info("scheduler stopped")
