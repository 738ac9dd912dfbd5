"""Settings of bench/newsletter_send.py and its worker processes: production's shape (DEBUG
off, PostgreSQL, the database task backend) pointed at a local SMTP sink, or, with
BENCH_TRANSPORT=provider, at a local stand-in of Mailgun's batch API through django-anymail."""

import os
import secrets

from broadsheet.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(60)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}  # noqa: F405
if os.environ.get("BENCH_TRANSPORT") == "provider":
    EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    ANYMAIL = {
        "MAILGUN_API_KEY": "standin-key",
        "MAILGUN_API_URL": os.environ.get("BENCH_PROVIDER_URL", "http://127.0.0.1:2580/v3"),
    }
    NEWSLETTERS_TRANSPORT = "provider"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = "127.0.0.1"
    EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "2525"))
    NEWSLETTERS_TRANSPORT = "smtp"
WAGTAILADMIN_BASE_URL = "https://news.example.com"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
