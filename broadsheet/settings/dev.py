"""The demo and local development: SQLite by default, no other service needed."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-3c0f6e2b8a"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
