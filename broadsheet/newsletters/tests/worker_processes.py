"""Real `manage.py db_worker` processes for the tests that need them (PostgreSQL: they share
the test database, which SQLite's in-memory test database cannot)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
}


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(
    *, log: Path, queue: str, worker_id: str, smtp_port: int, **env: str
) -> subprocess.Popen:
    """One worker of `queue` with the test's worker settings (worker_settings.py), sending to
    the test's SMTP server; its output goes to `log`."""
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            queue,
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--worker-id",
            worker_id,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "broadsheet.newsletters.tests.worker_settings",
            "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DATABASE_URL": database_url(),
            "NEWSLETTERS_TEST_SMTP_PORT": str(smtp_port),
            **env,
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
