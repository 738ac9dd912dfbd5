"""The production topology as real processes on free ports of 127.0.0.1, for tests (marker
`topology`) that must see what readers see in production: gunicorn with deploy/gunicorn.conf.py
and production settings, PostgreSQL, a private Redis of its own (never the shared 6379), the
task worker, and Varnish with deploy/varnish/default.vcl.

    from broadsheet.tests.topology import Gunicorn, PrivateRedis, production_env

    def test_something(topology_database, private_redis, tmp_path):
        env = production_env(database_url=topology_database.url, redis_url=private_redis.url)
        with Gunicorn(env, logs=tmp_path) as web:
            status, headers, body = HttpClient(web.port).get("/healthz")

Every process runs in a process group of its own, writes its log under the test's tmp_path
(shown when it fails to start) and is stopped by the fixture or `with` block that started it.
Tests skip, saying why, when PostgreSQL, redis-server or varnishd is missing.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = Path(sys.executable)
GUNICORN = PYTHON.parent / "gunicorn"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
HOST = "127.0.0.1"
REDIS_SERVER = shutil.which("redis-server")
VARNISHD = shutil.which("varnishd") or (
    "/usr/sbin/varnishd" if os.access("/usr/sbin/varnishd", os.X_OK) else None
)
SECRET_KEY = "topology-" + secrets.token_urlsafe(48)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def backend_vcl(*, host: str, port: int, vcl: str | None = None) -> str:
    """deploy/varnish/default.vcl with its backend (gunicorn) at host:port, nothing else changed."""
    vcl = VCL.read_text() if vcl is None else vcl
    vcl = re.sub(r'\.port = "\d+";', f'.port = "{port}";', vcl, count=1)
    return re.sub(r'\.host = "[^"]+";', f'.host = "{host}";', vcl, count=1)


class StartError(RuntimeError):
    pass


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Service:
    """One long-running process in a group of its own, logging to logs/<name>.log."""

    name = "service"
    stop_signal = signal.SIGTERM

    def __init__(self, *, logs: Path):
        self.logs = Path(logs)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.log_path = self.logs / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict | None:
        return None

    def wait_ready(self) -> None:
        pass

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(part) for part in self.command()],
                cwd=ROOT,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise StartError(f"{self.name} exited ({code}); its log:\n{_tail(self.log_path)}")

    def stop(self, stop_signal: int | None = None) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, stop_signal or self.stop_signal)
            process.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def kill(self) -> None:
        """As a crash would: SIGKILL, no goodbye."""
        self.stop(signal.SIGKILL)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _wait(what: str, ready, service: Service, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        service.check_alive()
        if ready():
            return
        time.sleep(0.1)
    raise StartError(f"{what} not ready within {timeout:.0f} s; log:\n{_tail(service.log_path)}")


class PrivateRedis(Service):
    """A redis-server of the test's own on a free port, without persistence: a restart comes
    back empty, as a crashed Redis without a snapshot would."""

    name = "redis"

    def __init__(self, *, logs: Path, port: int | None = None):
        super().__init__(logs=logs)
        self.port = port or free_port()

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def command(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            HOST,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.logs),
        ]

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def wait_ready(self) -> None:
        _wait("redis-server", self.ping, self, timeout=20)

    def restart(self) -> None:
        self.kill()
        self.start()

    def pause(self) -> None:
        """Out of reach but keeping its data, as behind a network partition: connections are
        accepted (by the kernel) and never answered."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


def postgres_admin_url() -> str:
    """The PostgreSQL server to create test databases on: DATABASE_URL's when it is one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_available() -> bool:
    import psycopg

    parts = urlsplit(postgres_admin_url())
    try:
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ):
            return True
    except psycopg.Error:
        return False


class TopologyDatabase:
    """A PostgreSQL database of its own, created empty, migrated and set up as a deployment is
    (`migrate`, `setup_newsroom`); `drop()` removes it."""

    def __init__(self, name: str):
        self.name = name
        admin = urlsplit(postgres_admin_url())
        self._admin = admin
        self.url = admin._replace(path=f"/{name}", query="").geturl()

    def _connect(self):
        import psycopg

        return psycopg.connect(
            host=self._admin.hostname,
            port=self._admin.port or 5432,
            user=self._admin.username,
            password=self._admin.password,
            dbname="postgres",
            autocommit=True,
        )

    def create(self, *, logs: Path) -> TopologyDatabase:
        with self._connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{self.name}"')
        env = production_env(database_url=self.url, redis_url="")
        manage(env, "migrate", "--no-input", "-v", "0", logs=logs)
        manage(env, "setup_newsroom", "--hostname", HOST, "--port", "80", logs=logs)
        return self

    def copy(self, name: str) -> TopologyDatabase:
        """A database of its own made from this one, as it is now (PostgreSQL's TEMPLATE: a
        file copy, no migrate): for a fixture whose setup must not meet another's rows."""
        with self._connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return TopologyDatabase(name)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def drop(self) -> None:
        with self._connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def production_env(*, database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of a production web or worker process of this topology."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "ACCESS_REDIS", "AUDIENCE_REDIS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="broadsheet.settings.production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ALLOWED_HOSTS=f"{HOST},localhost",
        # TLS ends in front of Varnish in production; the clients here say https themselves
        # (X-Forwarded-Proto), so the redirect is off only for checks without that header.
        SECURE_SSL_REDIRECT="false",
        PAGE_CACHE_FRONT_PROXIES="",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, logs: Path, timeout: float = 600) -> str:
    """Run manage.py with this environment; its output, or StartError with it."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    Path(logs).mkdir(parents=True, exist_ok=True)
    with open(Path(logs) / "manage.log", "a") as log:
        log.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        raise StartError(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    return result.stdout


def manage_shell(env: dict, script: str, *, logs: Path) -> str:
    """Run a Python script in the project (`manage.py shell -c`), e.g. to create test data."""
    return manage(env, "shell", "-c", script, logs=logs)


class HttpClient:
    """A browser, roughly: one cookie jar (Secure cookies included: the requests say https in
    X-Forwarded-Proto, as the TLS proxy would), one request per connection."""

    def __init__(self, port: int, *, user_agent: str = "topology-test", timeout: float = 10):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.headers = {"User-Agent": user_agent, "X-Forwarded-Proto": "https"}

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        sent = dict(self.headers)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value in ("", '""') or "max-age=0" in value.lower():
                        self.cookies.pop(name.strip(), None)
                    else:
                        self.cookies[name.strip()] = cookie_value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import urlencode

        origin = f"https://{HOST}:{self.port}"
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            },
        )

    def sign_in(self, email: str, password: str, *, edition: str = "en-us") -> int:
        """Sign in through the reader's sign-in form; the status of the form's answer."""
        path = f"/{edition}/accounts/login/"
        status, _headers, body = self.get(path)
        if status != 200:
            return status
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        token = match.group(1).decode() if match else ""
        status, _headers, _body = self.post_form(
            path, {"csrfmiddlewaretoken": token, "login": email, "password": password}
        )
        return status


class Gunicorn(Service):
    """gunicorn with deploy/gunicorn.conf.py and `env` (production_env), on a free port."""

    name = "gunicorn"
    stop_signal = signal.SIGINT

    def __init__(self, env: dict, *, logs: Path, workers: int = 1, threads: int = 4):
        super().__init__(logs=logs)
        self.port = free_port()
        self.env = env | {
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
        }

    def command(self) -> list[str]:
        return [GUNICORN, "-c", GUNICORN_CONF]

    def environment(self) -> dict:
        return self.env

    def _answers(self) -> bool:
        try:
            HttpClient(self.port, timeout=15).get("/healthz")
            return True
        except OSError:
            return False

    def wait_ready(self) -> None:
        # Any answer: a test may start it with a database that is down on purpose.
        _wait("gunicorn", self._answers, self, timeout=90)


class DbWorker(Service):
    """The task worker (`manage.py db_worker`) with `env`."""

    name = "db_worker"

    def __init__(self, env: dict, *, logs: Path):
        super().__init__(logs=logs)
        self.env = env

    def command(self) -> list[str]:
        return [PYTHON, "manage.py", "db_worker"]

    def environment(self) -> dict:
        return self.env

    def wait_ready(self) -> None:
        time.sleep(0.5)
        self.check_alive()


class Varnish(Service):
    """varnishd with deploy/varnish/default.vcl in front of backend_port, its own -n dir."""

    name = "varnish"

    def __init__(self, *, backend_port: int, logs: Path):
        super().__init__(logs=logs)
        self.port = free_port()
        # varnishd reads the VCL as its own user: not under pytest's private tmp directories.
        self.workdir = Path(tempfile.mkdtemp(prefix="bs-varnish-"))
        self.workdir.chmod(0o755)
        vcl = self.workdir / "default.vcl"
        vcl.write_text(backend_vcl(host=HOST, port=backend_port))
        vcl.chmod(0o644)

    def command(self) -> list[str]:
        return [
            VARNISHD,
            "-F",
            "-n",
            self.workdir / "state",
            "-a",
            f"{HOST}:{self.port}",
            "-f",
            self.workdir / "default.vcl",
            "-s",
            "malloc,64m",
        ]

    def stop(self, stop_signal: int | None = None) -> None:
        super().stop(stop_signal)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _answers(self) -> bool:
        try:
            _status, _headers, body = HttpClient(self.port).get("/healthz")
        except OSError:
            return False
        # Varnish's own 503 ("Guru Meditation") while it has not reached the backend yet.
        return b"Guru Meditation" not in body

    def wait_ready(self) -> None:
        _wait("varnishd", self._answers, self, timeout=60)


# --- fixtures ---------------------------------------------------------------------------------


def require(*, postgres: bool = True, redis: bool = False, varnish: bool = False) -> None:
    """Skip the test, saying what is missing, unless the topology's parts are here."""
    if redis and REDIS_SERVER is None:
        pytest.skip("redis-server is missing: apt-get install -y redis-server")
    if varnish and VARNISHD is None:
        pytest.skip("varnishd is missing: apt-get install -y varnish")
    if postgres and not postgres_available():
        pytest.skip(f"PostgreSQL is not reachable at {urlsplit(postgres_admin_url()).netloc}")


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> None:
    """Production serves static files through whitenoise's manifest: every page needs it."""
    env = production_env(database_url="sqlite:///:memory:", redis_url="")
    manage(env, "collectstatic", "--no-input", "-v", "0", logs=tmp_path_factory.mktemp("static"))


@pytest.fixture(scope="session")
def topology_database(tmp_path_factory, collected_static) -> Iterator[TopologyDatabase]:
    """A migrated, set-up PostgreSQL database for the session's topology tests."""
    require(postgres=True)
    base = urlsplit(postgres_admin_url()).path.strip("/")
    if base in ("", "postgres"):
        base = "broadsheet"
    database = TopologyDatabase(f"{base}_topology_{os.getpid()}")
    database.create(logs=tmp_path_factory.mktemp("topology-setup"))
    yield database
    database.drop()


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    require(postgres=False, redis=True)
    with PrivateRedis(logs=tmp_path / "redis") as server:
        yield server
