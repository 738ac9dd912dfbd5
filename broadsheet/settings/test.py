"""The test suite: the same settings as production where it matters, fast where it doesn't."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret-7d1e9a4c2f"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,  # noqa: F405
    }
}
if not REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES["default"]["KEY_PREFIX"] = "bs-test"
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}  # noqa: F405

# The alias the replica tests point at a real standby (broadsheet/tests/test_replicas.py): until
# then a mirror of the test database, which nothing reads (DATABASE_REPLICAS stays empty).
DATABASES["test_replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
