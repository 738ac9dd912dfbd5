"""Settings of the `manage.py db_worker` processes that the fault test starts and kills:
the test settings, with the database task backend and the test's SMTP server."""

import os

from broadsheet.settings.test import *  # noqa: F403

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NEWSLETTERS_TEST_SMTP_PORT", "25"))
NEWSLETTERS_TRANSPORT = "smtp"
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
