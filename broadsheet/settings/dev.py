"""The demo and local development: SQLite by default, no other service needed.

DEBUG is off by default, so the demo shows what readers get (the designed 404 and 500 pages in
the edition's language) rather than Django's debug pages; set DEBUG=1 for tracebacks.
"""

from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-3c0f6e2b8a"  # noqa: F405
# Emails are printed to the log unless a real mail server or provider is configured.
if not (EMAIL_PROVIDER or env_str("EMAIL_BACKEND", "")):  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Without DEBUG, runserver serves no files: WhiteNoise serves the static files straight from
# the apps (no collectstatic), and broadsheet/urls.py the uploaded media.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SERVE_MEDIA = True
