"""gunicorn for Broadsheet:  .venv/bin/gunicorn -c deploy/gunicorn.conf.py broadsheet.wsgi

Every value can be overridden from the environment (GUNICORN_*, WEB_CONCURRENCY), so one file
serves a 2-core box and a large one.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "broadsheet.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Python is CPU-bound per process (the GIL), so processes give the parallelism; a few threads
# per process hide the waits on PostgreSQL and Redis and keep connections alive (the sync
# worker closes each one). On 2 cores, cached pages: about twice the requests/s of sync
# workers (compare with bench/load_pages.py --workers N --threads M).
worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 4)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Load Django once, before forking: workers share its memory and a broken deploy fails at
# start instead of in every worker. Database connections are opened per worker, after the fork.
preload_app = True

# A hung request (a stuck database) is killed instead of holding a worker forever; recycling
# workers now and then bounds any slow leak, with jitter so they never all restart at once.
# Cached pages go at ~1,000 requests/s per worker: 10,000 would restart one every few seconds.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
max_requests = _int("GUNICORN_MAX_REQUESTS", 200_000)
max_requests_jitter = max_requests // 10

# Varnish and the load balancer log every request already; an access-log line per request
# costs a write on the hot path. Set GUNICORN_ACCESSLOG=- to have them on stdout.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# X-Forwarded-Proto (https) is trusted only from the proxies in front.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
