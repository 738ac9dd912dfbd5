"""The test suite: the same settings as production where it matters, fast where it doesn't."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, LOGGING, REDIS_URL

DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file in WAL mode with IMMEDIATE transactions, as the demo runs (base.py), not the
    # in-memory database whose shared cache fails concurrent writers at once: the race tests
    # run on SQLite too, its writers waiting their turn. One file per test process.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"broadsheet-test-{os.getpid()}.sqlite3")
    }
SECRET_KEY = "test-only-not-secret-7d1e9a4c2f"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,  # noqa: F405
    }
}
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES["default"]["KEY_PREFIX"] = "bs-test"
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}

# The alias the replica tests point at a real standby (broadsheet/tests/test_replicas.py): until
# then a mirror of the test database, which nothing reads (DATABASE_REPLICAS stays empty).
DATABASES["test_replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
