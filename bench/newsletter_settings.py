"""Settings of bench/newsletter_send.py and its worker processes: production's shape (DEBUG
off, PostgreSQL, the database task backend, SMTP) pointed at a local SMTP sink."""

import os
import secrets

from broadsheet.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(60)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "2525"))
NEWSLETTERS_TRANSPORT = "smtp"
WAGTAILADMIN_BASE_URL = "https://news.example.com"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
