"""gunicorn for Broadsheet:  .venv/bin/gunicorn -c deploy/gunicorn.conf.py broadsheet.wsgi

Every value can be overridden from the environment (GUNICORN_*, WEB_CONCURRENCY), so one file
serves a 2-core box and a large one.
"""

import multiprocessing
import os


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "broadsheet.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Python is CPU-bound per process (the GIL), so processes give the parallelism; a few threads
# per process hide the waits on PostgreSQL and Redis and keep connections alive (the sync
# worker closes each one). On 2 cores, cached pages: about twice the requests/s of sync
# workers (compare with bench/load_pages.py --workers N --threads M).
worker_class = "gthread"
workers = env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
threads = env_int("GUNICORN_THREADS", 4)
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# Load Django once, before forking: workers share its memory and a broken deploy fails at
# start instead of in every worker. Database connections are opened per worker, after the fork.
preload_app = True

# A hung request (a stuck database) is killed instead of holding a worker forever; recycling
# workers now and then bounds any slow leak, with jitter so they never all restart at once.
# Cached pages go at ~1,000 requests/s per worker: 10,000 would restart one every few seconds.
timeout = env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
max_requests = env_int("GUNICORN_MAX_REQUESTS", 200_000)
max_requests_jitter = max_requests // 10

# Varnish and the load balancer log every request already; an access-log line per request
# costs a write on the hot path. Set GUNICORN_ACCESSLOG=- to have them on stdout.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# X-Forwarded-Proto (https) is trusted only from the proxies in front.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket (`gunicornc`): its default is one path per user, which every
# instance on the box would take from the one before. Each instance gets its own, named after
# its first bind address, in systemd's RuntimeDirectory when there is one, else under var/run/
# of the checkout (never a world-writable /tmp); "off" disables it.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
if _control_socket == "off":
    control_socket_disable = True
else:
    _runtime_dir = os.environ.get("RUNTIME_DIRECTORY") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "run"
    )
    _instance = "".join(c if c.isalnum() else "-" for c in bind[0]).strip("-")
    control_socket = _control_socket or os.path.join(_runtime_dir, f"gunicorn-{_instance}.ctl")


def child_exit(server, worker) -> None:
    # Prometheus' multiprocess mode: a dead worker's live gauges must stop counting.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
