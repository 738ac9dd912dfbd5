"""Settings of the `manage.py db_worker` processes that the fault test starts and kills:
the test settings, with the database task backend and the test's SMTP server, or the test's
stand-in of a provider's batch API when NEWSLETTERS_TEST_PROVIDER_URL is set."""

import os

from broadsheet.settings.test import *  # noqa: F403

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,  # noqa: F405
    }
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("NEWSLETTERS_TEST_SMTP_PORT", "25"))
NEWSLETTERS_TRANSPORT = "smtp"
if os.environ.get("NEWSLETTERS_TEST_PROVIDER_URL"):
    EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    ANYMAIL = {
        "MAILGUN_API_KEY": "standin-key",
        "MAILGUN_API_URL": os.environ["NEWSLETTERS_TEST_PROVIDER_URL"],
    }
    NEWSLETTERS_TRANSPORT = "provider"
    NEWSLETTERS_PROVIDER_BATCH_SIZE = int(os.environ.get("NEWSLETTERS_PROVIDER_BATCH_SIZE", "500"))
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
