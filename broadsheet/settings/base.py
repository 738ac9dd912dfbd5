"""Settings shared by every environment; each value that differs per deployment comes from the
environment (see docs/operations.md for the full list)."""

import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_renamed(name: str, *, old: str, default: str) -> str:
    """`name`, or while operators move over, the variable it replaced (with a warning)."""
    if name in os.environ or old not in os.environ:
        return os.environ.get(name, default)
    # FutureWarning, not DeprecationWarning: Python shows it by default, and the reader of
    # this one is the operator, not a developer running with -W.
    warnings.warn(f"{old} is deprecated: set {name} instead.", FutureWarning, stacklevel=2)
    return os.environ[old]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Earlier keys, comma-separated, still accepted while a rotation settles (sessions, password
# reset links, signed values); new signatures use SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# A form that fails its CSRF check says so in the edition's language (broadsheet/views.py).
CSRF_FAILURE_VIEW = "broadsheet.views.csrf_failure"

INSTALLED_APPS = [
    "broadsheet.newsroom",
    "broadsheet.syndication",
    "broadsheet.pagecache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "csp",
]

MIDDLEWARE = [
    # Outermost: times every answer, page-cache hits and holes included (docs/operations.md).
    "broadsheet.operations.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A NUL in the address or a cookie is a 400 before any cache, session or view reads it.
    "broadsheet.request_guard.RejectNulMiddleware",
    # Holes of cached pages (/_holes/...), answered before anything else runs: the front
    # proxy asks for one per metered reading (broadsheet/pagecache/holes.py).
    "broadsheet.pagecache.holes.HoleMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # These three add their headers outside the page caches, which answer hits early: a page
    # served from a cache carries them as a rendered one does (broadsheet/headers.py).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "broadsheet.headers.ContentSecurityPolicyMiddleware",
    "broadsheet.headers.PrivateWhenSignedInMiddleware",
    "broadsheet.pagecache.middleware.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "broadsheet.locale_middleware.EditionLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Content-Security-Policy (django-csp, through broadsheet.headers). Readers' pages run no
# inline script, so one policy without nonces holds for pages from the shared page cache too.
# Inline style attributes stay allowed: Wagtail's responsive embeds size themselves with one.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # Embedded videos and posts in articles (wagtail.embeds).
        "frame-src": ["https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # Buying and the billing portal leave through a redirect after a form.
        "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
        "frame-ancestors": ["'none'"],
    }
}
# Wagtail's admin runs inline scripts and styles and frames its own previews.
CONTENT_SECURITY_POLICY_ADMIN_PREFIX = "/admin/"
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}

ROOT_URLCONF = "broadsheet.urls"
WSGI_APPLICATION = "broadsheet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "broadsheet.newsroom.context_processors.edition",
            ],
        },
    },
]

# The embedded default is a SQLite file beside the code; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'broadsheet.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the task worker go on while a write is in progress.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A database that accepts connections and never answers must not hang pages: connecting gives
# up after DB_CONNECT_TIMEOUT seconds (libpq's minimum is 2) and the server ends any statement
# after DB_STATEMENT_TIMEOUT_MS (0: never); pages then answer 503 (broadsheet/views.py).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 2)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}".strip()
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis that is down is a cache that misses (broadsheet/redis_guard.py): a call waits at most
# this long on a socket, and after a failure Redis is asked again once per REDIS_RETRY_MS.
CACHE_REDIS_TIMEOUT_MS = env_int("CACHE_REDIS_TIMEOUT_MS", 100)
REDIS_RETRY_MS = env_int("REDIS_RETRY_MS", 500)
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "broadsheet.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "bs"),
            "OPTIONS": {"timeout": CACHE_REDIS_TIMEOUT_MS / 1000},
        }
    }
    # Sessions read through Redis, written through to the database: a signed-in page view
    # costs no session query, and a lost Redis loses no session (a miss reads the database).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # A cache every process on the box shares, so that a purge from one web process or the
    # task worker is seen by all of them; no service needed.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Background work: the database backend of django_tasks, run by `manage.py db_worker`. Two
# queues, each with workers of its own (docs/operations.md): "newsletters" for bulk sends,
# "default" for everything a reader waits for (confirmation and account emails, purges).
TASK_QUEUES = ["default", "newsletters"]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Editions: each is a Wagtail locale with its own home page. Adding an edition is adding a row
# here (and its translations), then `manage.py setup_newsroom` (newsroom.services.
# editions_setup: the locale, the edition's home and its site; safe to run again).
# Times on an edition's pages are shown in its time zone, with the zone named (stored in UTC).
BROADSHEET_EDITIONS = [
    {"language": "en-us", "name": "US Edition", "currency": "USD", "time_zone": "US/Eastern"},
    {"language": "es-es", "name": "España", "currency": "EUR", "time_zone": "Europe/Madrid"},
]
LANGUAGE_CODE = "en-us"
LANGUAGES = [
    ("en-us", _("English (US Edition)")),
    ("es-es", _("Spanish (España)")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# The publication's name: the masthead (beside the edition's name), titles, Open Graph, JSON-LD.
PUBLICATION_NAME = os.environ.get("PUBLICATION_NAME", "Broadsheet")
WAGTAIL_SITE_NAME = PUBLICATION_NAME
# The site's public address (scheme, host, port): every link in an email (account, invitation,
# newsletter) and in the admin's notifications starts with it. It was called BASE_URL.
PUBLIC_SITE_URL = env_renamed("PUBLIC_SITE_URL", old="BASE_URL", default="http://localhost:8000")
WAGTAILADMIN_BASE_URL = PUBLIC_SITE_URL
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "broadsheet.newsroom.search_backend",
    }
}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "webp", "png": "webp", "jpeg": "webp", "gif": "webp"}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True
# Editors' avatars stay on our servers: no email hashes sent to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Anonymous full-page cache (broadsheet.pagecache): seconds a page may be served from cache
# without a publish in between.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)
# Signed-in readers (not staff) are served from a members' copy of each page, with holes.
PAGE_CACHE_MEMBERS = env_bool("PAGE_CACHE_MEMBERS", True)
NEWSROOM_PAGE_SIZE = env_int("NEWSROOM_PAGE_SIZE", 20)
NEWSROOM_LATEST_RAIL_SIZE = env_int("NEWSROOM_LATEST_RAIL_SIZE", 6)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "broadsheet.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Caching proxies in front of the web processes, sent a BAN on publish, e.g.
# "http://127.0.0.1:6081" (see deploy/varnish/default.vcl).
PAGE_CACHE_FRONT_PROXIES = env_list("PAGE_CACHE_FRONT_PROXIES", "")

# Mail: account emails, confirmations, invitations and, unless NEWSLETTERS_TRANSPORT says
# otherwise, newsletters. SMTP by default (EMAIL_HOST...); EMAIL_PROVIDER sends through that
# provider's HTTP API with django-anymail instead; EMAIL_BACKEND names any other Django backend.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
# STARTTLS on a plain connection (port 587) or TLS from the first byte (port 465).
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL exclude each other.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# anymail's name of the provider, e.g. mailgun, postmark, sendgrid, brevo, amazon_ses.
EMAIL_PROVIDER = env_str("EMAIL_PROVIDER", "")
# Where each provider's backend looks for the credential: Postmark calls it a server token,
# Mailjet adds a secret key, Amazon SES reads boto3's own AWS_* variables.
_PROVIDER_KEY_NAMES = {"postmark": "SERVER_TOKEN"}
if EMAIL_PROVIDER and env_str("EMAIL_BACKEND", ""):
    raise ImproperlyConfigured("Set EMAIL_PROVIDER or EMAIL_BACKEND, not both.")
if EMAIL_PROVIDER:
    _esp = EMAIL_PROVIDER.upper()
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
    ANYMAIL = {
        f"{_esp}_{name}": value
        for name, value in {
            _PROVIDER_KEY_NAMES.get(EMAIL_PROVIDER, "API_KEY"): env_str(
                "EMAIL_PROVIDER_API_KEY", ""
            ),
            "SECRET_KEY": env_str("EMAIL_PROVIDER_SECRET", ""),
            "SENDER_DOMAIN": env_str("EMAIL_PROVIDER_SENDER_DOMAIN", ""),
            "API_URL": env_str("EMAIL_PROVIDER_API_URL", ""),
            "WEBHOOK_SIGNING_KEY": env_str("EMAIL_PROVIDER_WEBHOOK_SIGNING_KEY", ""),
        }.items()
        if value
    }
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# Newsletters (broadsheet.newsletters; see docs/newsletters.md).
INSTALLED_APPS += ["broadsheet.newsletters"]
# The From of every newsletter without its own sender, and where bounces go (the envelope).
NEWSLETTERS_FROM_EMAIL = os.environ.get("NEWSLETTERS_FROM_EMAIL", "newsletters@localhost")
NEWSLETTERS_BOUNCE_EMAIL = os.environ.get("NEWSLETTERS_BOUNCE_EMAIL", "")
# The mailto: of List-Unsubscribe; mail to it is read by `manage.py newsletters_inbound`.
NEWSLETTERS_UNSUBSCRIBE_EMAIL = os.environ.get("NEWSLETTERS_UNSUBSCRIBE_EMAIL", "")
# "smtp": our own SMTP client (EMAIL_HOST/PORT/...), which records each hand-over before the
# last line of the message; "provider": the provider's batch API through anymail (Mailgun: one
# call per NEWSLETTERS_PROVIDER_BATCH_SIZE recipients); "backend": any Django email backend
# (EMAIL_BACKEND), one message at a time; "auto": smtp for Django's SMTP backend, provider for
# anymail's Mailgun backend, else backend (docs/newsletters.md).
NEWSLETTERS_TRANSPORT = os.environ.get("NEWSLETTERS_TRANSPORT", "auto")
NEWSLETTERS_PROVIDER_BATCH_SIZE = env_int("NEWSLETTERS_PROVIDER_BATCH_SIZE", 500)
# The provider's per-recipient merge syntax, e.g. "%recipient.{}%" (empty: Mailgun's).
NEWSLETTERS_PROVIDER_MERGE_FIELD = os.environ.get("NEWSLETTERS_PROVIDER_MERGE_FIELD", "")
NEWSLETTERS_BATCH_SIZE = env_int("NEWSLETTERS_BATCH_SIZE", 500)
NEWSLETTERS_WORKERS_PER_SEND = env_int("NEWSLETTERS_WORKERS_PER_SEND", 2)
# SMTP connections per worker: a group of this many messages moves through SMTP together.
NEWSLETTERS_SMTP_CONNECTIONS = env_int("NEWSLETTERS_SMTP_CONNECTIONS", 10)
# Messages per second for one send, shared by its workers; 0 sends as fast as the server takes.
NEWSLETTERS_SEND_RATE = env_int("NEWSLETTERS_SEND_RATE", 0)
NEWSLETTERS_LEASE_SECONDS = env_int("NEWSLETTERS_LEASE_SECONDS", 60)
NEWSLETTERS_SOFT_RETRIES = env_int("NEWSLETTERS_SOFT_RETRIES", 3)
NEWSLETTERS_RETRY_SECONDS = env_int("NEWSLETTERS_RETRY_SECONDS", 60)
NEWSLETTERS_SIGNUPS_PER_IP_PER_HOUR = env_int("NEWSLETTERS_SIGNUPS_PER_IP_PER_HOUR", 20)
NEWSLETTERS_SIGNUPS_PER_ADDRESS_PER_HOUR = env_int("NEWSLETTERS_SIGNUPS_PER_ADDRESS_PER_HOUR", 3)
NEWSLETTERS_CONFIRM_DAYS = env_int("NEWSLETTERS_CONFIRM_DAYS", 7)
NEWSLETTERS_COMPOSE_AHEAD_HOURS = env_int("NEWSLETTERS_COMPOSE_AHEAD_HOURS", 24)
NEWSLETTERS_EXTRA_DISPOSABLE_DOMAINS = env_list("NEWSLETTERS_EXTRA_DISPOSABLE_DOMAINS", "")

# Reader accounts and subscriptions (broadsheet.accounts, broadsheet.subscriptions; see
# docs/accounts.md and docs/billing.md).
INSTALLED_APPS += [
    "broadsheet.accounts",
    "broadsheet.subscriptions",
    "allauth",
    "allauth.account",
]
AUTH_USER_MODEL = "accounts.User"
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    # Keeps each signed-in browser's Device (last seen, current session key); signs out a
    # browser whose device was signed out from elsewhere.
    "broadsheet.accounts.middleware.DeviceMiddleware",
    # Signed-in readers share one cached page per URL, with their personal parts as holes
    # (broadsheet/pagecache/middleware.py); after the device middleware, which must see them.
    "broadsheet.pagecache.middleware.MemberPageCacheMiddleware",
]
AUTHENTICATION_BACKENDS = [
    # The gate of every sign-in form: allauth's limits and email verification for all of them.
    "broadsheet.accounts.backends.SignInGateBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Broadsheet <accounts@localhost>")
ACCOUNT_ADAPTER = "broadsheet.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "broadsheet.accounts.adapter.user_display"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# By link (the default) or by a code typed on the page that asked for it.
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = env_bool("ACCOUNT_EMAIL_VERIFICATION_BY_CODE", False)
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if WAGTAILADMIN_BASE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip",
    "reset_password": "10/m/ip,3/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Not allauth's own: invitations, and newsletter signups per client and per address.
    "subscription_invite": os.environ.get("SUBSCRIPTION_INVITE_RATE_LIMIT", "20/h/user"),
    "newsletter_signup": f"{NEWSLETTERS_SIGNUPS_PER_IP_PER_HOUR}/h/ip"
    if NEWSLETTERS_SIGNUPS_PER_IP_PER_HOUR > 0
    else "",
    "newsletter_signup_address": f"{NEWSLETTERS_SIGNUPS_PER_ADDRESS_PER_HOUR}/h/key"
    if NEWSLETTERS_SIGNUPS_PER_ADDRESS_PER_HOUR > 0
    else "",
}
ACCOUNT_FORMS = {"signup": "broadsheet.accounts.forms.SignupForm"}
# The Wagtail admin's password reset, under allauth's reset_password limits.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "broadsheet.accounts.forms.AdminPasswordResetForm"  # noqa: S105
# How many reverse proxies (load balancer, Varnish) put their hop in X-Forwarded-For: the
# client's address is the one they saw. 0: the socket's peer address, X-Forwarded-For ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# A browser's Device.last_seen_at is written at most this often (seconds).
ACCOUNTS_DEVICE_SEEN_EVERY = env_int("ACCOUNTS_DEVICE_SEEN_EVERY", 300)

# Billing through Stripe: without the secret key, buying says billing is not configured and
# staff can still grant complimentary subscriptions.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Another API address (stripe-mock, a test double); empty: Stripe's own.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_WEBHOOK_TOLERANCE = env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
# Days a past_due subscription keeps access while Stripe retries the payment.
SUBSCRIPTIONS_PAST_DUE_GRACE_DAYS = env_int("SUBSCRIPTIONS_PAST_DUE_GRACE_DAYS", 7)
SUBSCRIPTIONS_INVITATION_DAYS = env_int("SUBSCRIPTIONS_INVITATION_DAYS", 14)
SUBSCRIPTIONS_ENTITLEMENT_CACHE_SECONDS = env_int("SUBSCRIPTIONS_ENTITLEMENT_CACHE_SECONDS", 300)
SUBSCRIPTIONS_BUSINESS_MAX_SEATS = env_int("SUBSCRIPTIONS_BUSINESS_MAX_SEATS", 500)

# Audience: view counting, "Most viewed" and the newsroom's dashboard (broadsheet.audience; see
# docs/audience.md).
INSTALLED_APPS += ["broadsheet.audience"]
# The live counters: Redis when set (best a database number of its own, e.g. redis://.../1),
# else the database.
AUDIENCE_REDIS_URL = os.environ.get("AUDIENCE_REDIS_URL", REDIS_URL)
AUDIENCE_REDIS_PREFIX = os.environ.get("AUDIENCE_REDIS_PREFIX", "aud")
# A reader's request never waits longer than this on Redis (milliseconds); 100 like the cache's
# and the access store's, which share its server's circuit breaker (redis_guard.py).
AUDIENCE_REDIS_TIMEOUT_MS = env_int("AUDIENCE_REDIS_TIMEOUT_MS", 100)
# Reloads of an article by the same reader within this many minutes count once.
AUDIENCE_DEDUPE_MINUTES = env_int("AUDIENCE_DEDUPE_MINUTES", 30)
# Articles in a "Most viewed" rail, and how many seconds a rail may be shown from a cache.
AUDIENCE_MOST_VIEWED_SIZE = env_int("AUDIENCE_MOST_VIEWED_SIZE", 5)
AUDIENCE_RAIL_SECONDS = env_int("AUDIENCE_RAIL_SECONDS", 60)
# How long hourly history is kept (days; 0 keeps it for ever).
AUDIENCE_HISTORY_DAYS = env_int("AUDIENCE_HISTORY_DAYS", 400)
# More user-agent patterns (regular expressions) that are not readers.
AUDIENCE_EXTRA_BOT_PATTERNS = env_list("AUDIENCE_EXTRA_BOT_PATTERNS", "")

# Access: paywall, metering and one device at a time (broadsheet.access; see docs/access.md).
INSTALLED_APPS += ["broadsheet.access"]
# Slots and meters: Redis when set (one script call per check), else the database.
ACCESS_REDIS_URL = os.environ.get("ACCESS_REDIS_URL", REDIS_URL)
ACCESS_REDIS_PREFIX = os.environ.get("ACCESS_REDIS_PREFIX", "acc")
# A reader's request never waits longer than this on Redis (milliseconds).
ACCESS_REDIS_TIMEOUT_MS = env_int("ACCESS_REDIS_TIMEOUT_MS", 100)
# Metered articles: per anonymous reader (cookie) and per registered free reader, per period.
ACCESS_ANONYMOUS_METER = env_int("ACCESS_ANONYMOUS_METER", 3)
ACCESS_REGISTERED_METER = env_int("ACCESS_REGISTERED_METER", 10)
ACCESS_METER_DAYS = env_int("ACCESS_METER_DAYS", 30)
ACCESS_READER_COOKIE = os.environ.get("ACCESS_READER_COOKIE", "bs_reader")
# A device holds its seat's reading slot while active within the lease; an open article page
# says it is still read every ACCESS_HEARTBEAT_SECONDS while visible.
ACCESS_SLOT_LEASE_SECONDS = env_int("ACCESS_SLOT_LEASE_SECONDS", 300)
ACCESS_HEARTBEAT_SECONDS = env_int("ACCESS_HEARTBEAT_SECONDS", 60)
# A seat is flagged as shared after this many takeovers within the window, until no takeover
# happens for the cooling period (or the holder upgrades, changes the password, or signs the
# other devices out).
ACCESS_SHARING_TAKEOVERS = env_int("ACCESS_SHARING_TAKEOVERS", 3)
ACCESS_SHARING_WINDOW_HOURS = env_int("ACCESS_SHARING_WINDOW_HOURS", 24)
ACCESS_SHARING_COOLING_DAYS = env_int("ACCESS_SHARING_COOLING_DAYS", 7)

# Agency import: RSS, Atom and ninjs stories into drafts (broadsheet.agency; see docs/agency.md).
INSTALLED_APPS += ["broadsheet.agency"]

# The content API of the apps (broadsheet.api; see docs/api.md), on Django REST Framework.
INSTALLED_APPS += ["rest_framework", "drf_spectacular", "broadsheet.api"]
# Per client address and per app token (a reader signed in on an app); sign-ins from apps also
# pass allauth's own limits (ACCOUNT_RATE_LIMITS "login", "login_failed").
API_RATE_PER_IP = os.environ.get("API_RATE_PER_IP", "600/min")
API_RATE_PER_TOKEN = os.environ.get("API_RATE_PER_TOKEN", "300/min")
API_RATE_SIGN_IN_PER_IP = os.environ.get("API_RATE_SIGN_IN_PER_IP", "20/min")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 20)
API_MAX_PAGE_SIZE = 100
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "broadsheet.api.throttles.PerIpThrottle",
        "broadsheet.api.throttles.PerTokenThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_ip": API_RATE_PER_IP,
        "api_token": API_RATE_PER_TOKEN,
        "api_sign_in": API_RATE_SIGN_IN_PER_IP,
    },
    "EXCEPTION_HANDLER": "broadsheet.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NUM_PROXIES": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Broadsheet content API",
    "DESCRIPTION": "Editions, sections, articles for the newsroom's apps; bodies through the "
    "access rules (one device at a time, the meter). See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["broadsheet.api.schema.only_the_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "broadsheet.api.schema.problems_and_editions",
    ],
}
# Operations: the setup command, the scheduler of periodic jobs, metrics (docs/operations.md).
INSTALLED_APPS += ["broadsheet.operations"]
# GET /metrics answers Prometheus only with "Authorization: Bearer <METRICS_TOKEN>"; unset: 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# --- Scale-out: PostgreSQL read replicas (broadsheet/db_routing.py; docs/operations.md) ------
# Streaming replicas of DATABASE_URL, comma-separated postgres:// URLs: readers' page reads go
# to one of them, everything else (and every browser that wrote within the pin) to the primary.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(
        _url,
        conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
    # The primary's timeouts; the test runner neither creates nor flushes a replica's database.
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica["OPTIONS"]}
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica_")]
# After a write a browser reads the primary for this long: longer than replication ever lags.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 60)
# A page-cache purge first waits (at most this long) for every replica to replay the change.
DATABASE_REPLICA_PURGE_WAIT_SECONDS = env_int("DATABASE_REPLICA_PURGE_WAIT_SECONDS", 5)
# Paths whose reads always go to the primary, whatever the method (regular expressions): the
# admin, the webhooks, and a reader's account and subscription pages.
DATABASE_PRIMARY_PATHS = [
    r"^/admin/",
    r"^/documents/",
    r"^/billing/",
    r"^/[^/]+/accounts/",
    r"^/[^/]+/subscription/",
]
DATABASE_ROUTERS = ["broadsheet.db_routing.ReplicaRouter"]
# Outermost after the NUL guard: every read of the request, holes and cached pages included.
MIDDLEWARE.insert(
    MIDDLEWARE.index("broadsheet.request_guard.RejectNulMiddleware") + 1,
    "broadsheet.db_routing.ReplicaReadsMiddleware",
)
