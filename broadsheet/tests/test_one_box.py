"""docs/operations.md "One box", run as written (marker `topology`): its install step
(deploy/install.sh) on an empty PostgreSQL database with the environment file made from
deploy/broadsheet.env.example, then every Broadsheet unit its `systemctl enable` line names,
started from the unit's own ExecStart (deploy/systemd/). Then, as a reader and an editor would
see it: a page, a scheduled article published by the scheduler, a queued email delivered by
the worker over SMTP. Asserts content, never times."""

from __future__ import annotations

import email
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.tests.topology import (
    HOST,
    ROOT,
    VARNISHD,
    HttpClient,
    PrivateRedis,
    Service,
    StartError,
    TopologyDatabase,
    Varnish,
    _wait,
    free_port,
    manage_shell,
    postgres_admin_url,
    require,
)

pytestmark = pytest.mark.topology

DOCS = ROOT / "docs" / "operations.md"
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = ROOT / "deploy" / "broadsheet.env.example"
CHECKOUT = "/srv/broadsheet"


def one_box_block() -> list[str]:
    """The shell lines of the fenced block under "## One box"."""
    section = DOCS.read_text().split("## One box", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, 'docs/operations.md "One box" has no ```sh block'
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def enabled_units(lines: list[str]) -> list[str]:
    """The Broadsheet units the block's `systemctl enable` starts, e.g. broadsheet-worker@1."""
    units = []
    for line in lines:
        words = shlex.split(line, comments=True)
        if words[:2] == ["systemctl", "enable"]:
            units += [word for word in words[2:] if word.startswith("broadsheet-")]
    return units


def read_environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (quotes removed)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


class Unit:
    """One systemd unit of deploy/systemd/, its paths moved from /srv/broadsheet to this
    checkout and its /run directory to a test directory."""

    def __init__(self, name: str, *, run_dir: Path):
        template, _, self.instance = name.partition("@")
        filename = f"{template}@.service" if self.instance else f"{name}.service"
        self.name = name
        self.path = UNITS / filename
        self.service: dict[str, list[str]] = {}
        section = None
        for line in self.path.read_text().splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                self.service.setdefault(key, []).append(self._expand(value))
        runtime = self.service.get("RuntimeDirectory", [""])[0]
        self.runtime_dir = run_dir / runtime if runtime else None
        if runtime:
            self.service = {
                key: [v.replace(f"/run/{runtime}", str(self.runtime_dir)) for v in values]
                for key, values in self.service.items()
            }

    def _expand(self, value: str) -> str:
        return (
            value.replace("%i", self.instance)
            .replace("%H", socket.gethostname())
            .replace(CHECKOUT, str(ROOT))
        )

    def argv(self, key: str = "ExecStart") -> list[list[str]]:
        return [shlex.split(value) for value in self.service.get(key, [])]

    def environment(self, env_file: dict[str, str]) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        env |= env_file
        for assignment in self.service.get("Environment", []):
            key, _, value = assignment.partition("=")
            env[key] = value
        if self.runtime_dir:
            self.runtime_dir.mkdir(parents=True, exist_ok=True)
            env["RUNTIME_DIRECTORY"] = str(self.runtime_dir)
        return env


class Nginx(Service):
    """nginx with deploy/nginx/broadsheet.conf: its ports moved to free ones, Debian's
    self-signed certificate swapped for one made here, its Varnish at `varnish_port`."""

    name = "nginx"
    stop_signal = signal.SIGQUIT

    def __init__(self, *, varnish_port: int, logs: Path):
        super().__init__(logs=logs)
        self.http_port, self.https_port = free_port(), free_port()
        # nginx's workers run as nobody: a prefix they can read, outside pytest's 0700 dirs.
        self.prefix = Path(tempfile.mkdtemp(prefix="bs-nginx-"))
        self.prefix.chmod(0o755)
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(self.prefix / "key.pem"),
                "-out",
                str(self.prefix / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        site = (ROOT / "deploy" / "nginx" / "broadsheet.conf").read_text()
        site = re.sub(r"\n\s*listen \[::\]:[^\n]*", "", site)
        site = site.replace("listen 80;", f"listen {HOST}:{self.http_port};")
        site = site.replace("listen 443 ssl http2;", f"listen {HOST}:{self.https_port} ssl http2;")
        site = site.replace("/etc/ssl/certs/ssl-cert-snakeoil.pem", str(self.prefix / "cert.pem"))
        site = site.replace("/etc/ssl/private/ssl-cert-snakeoil.key", str(self.prefix / "key.pem"))
        assert "proxy_pass http://127.0.0.1:6081;" in site
        site = site.replace("127.0.0.1:6081", f"127.0.0.1:{varnish_port}")
        (self.prefix / "site.conf").write_text(site)
        (self.prefix / "nginx.conf").write_text(
            f"pid {self.prefix}/nginx.pid; error_log stderr warn; daemon off;\n"
            f"events {{}}\nhttp {{ access_log off; include {self.prefix}/site.conf; }}\n"
        )

    def command(self) -> list[str]:
        return ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")]

    def https(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(HOST, self.https_port, context=context, timeout=15)
        try:
            connection.request(method, path, headers={"Host": HOST})
            response = connection.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def wait_ready(self) -> None:
        def answers() -> bool:
            try:
                self.https("GET", "/healthz")
                return True
            except OSError:
                return False

        _wait("nginx", answers, self, timeout=30)

    def stop(self, stop_signal: int | None = None) -> None:
        super().stop(stop_signal)
        shutil.rmtree(self.prefix, ignore_errors=True)


class UnitProcess(Service):
    def __init__(self, unit: Unit, env: dict[str, str], *, logs: Path):
        self.name = unit.name
        super().__init__(logs=logs)
        self.unit = unit
        self.env = env
        assert self.unit.service["WorkingDirectory"] == [str(ROOT)]

    def command(self) -> list[str]:
        (argv,) = self.unit.argv()
        return argv

    def environment(self) -> dict[str, str]:
        return self.env

    def start(self):
        for argv in self.unit.argv("ExecStartPre"):
            subprocess.run(argv, env=self.env, cwd=ROOT, check=True)
        return super().start()

    def wait_ready(self) -> None:
        if self.unit.name == "broadsheet-web":
            port = int(self.env["GUNICORN_BIND"].rpartition(":")[2])

            def answers() -> bool:
                try:
                    return HttpClient(port).get("/healthz")[0] == 200
                except OSError:
                    return False

            _wait("gunicorn", answers, self, timeout=90)
        else:
            time.sleep(1)
            self.check_alive()


def test_the_documented_block_installs_from_deploy_and_enables_its_units():
    lines = one_box_block()
    assert "runuser -u broadsheet -- deploy/install.sh" in lines
    assert "cp deploy/systemd/*.service /etc/systemd/system/" in lines
    units = enabled_units(lines)
    assert {"broadsheet-web", "broadsheet-scheduler"} <= set(units)
    assert any(u.startswith("broadsheet-worker@") for u in units)
    assert any(u.startswith("broadsheet-newsletters@") for u in units)
    # Every shipped unit is one the block enables: none is left for an operator to discover.
    shipped = {path.name for path in UNITS.glob("*.service")}
    named = {Unit(u, run_dir=Path("/nonexistent")).path.name for u in units}
    assert shipped == named


SCHEDULED = """
from datetime import timedelta
from django.utils import timezone
from wagtail.models import Revision
from broadsheet.newsroom.models import ArticlePage, EditionPage
from broadsheet.newsroom.tests import factories

edition = EditionPage.objects.get(locale__language_code="en-us")
section = factories.section_create(edition=edition, title="Box", slug="box")
article = ArticlePage(
    title="Scheduled on one box", slug="scheduled-on-one-box", standfirst="Soon.",
    body=[("paragraph", "<p>Published by the scheduler.</p>")], live=False,
)
section.add_child(instance=article)
revision = article.save_revision()
# An editor scheduled it for a moment that has now passed.
Revision.objects.filter(pk=revision.pk).update(
    approved_go_live_at=timezone.now() - timedelta(minutes=1)
)
print(article.get_url())
"""


@pytest.fixture
def one_box(tmp_path) -> Iterator[dict]:
    require(postgres=True, redis=True)
    from broadsheet.newsletters.tests.smtp_sink import SMTPSink

    lines = one_box_block()
    base = postgres_admin_url().rsplit("/", 1)[1].split("?")[0] or "broadsheet"
    database = TopologyDatabase(
        f"{base if base != 'postgres' else 'broadsheet'}_onebox_{os.getpid()}"
    )
    with database._connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database.name}"')
    processes: list[UnitProcess] = []
    try:
        with PrivateRedis(logs=tmp_path / "redis") as redis, SMTPSink() as sink:
            web_port = free_port()
            # The example file, with what differs on this machine: the services' addresses.
            example = read_environment_file(ENV_EXAMPLE)
            env_file = example | {
                "SECRET_KEY": "one-box-" + "x" * 60,
                "PUBLIC_SITE_URL": f"https://{HOST}:{web_port}",
                # The example's hosts (Varnish's probe asks as localhost), and this one.
                "ALLOWED_HOSTS": f"{example['ALLOWED_HOSTS']},{HOST}",
                "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{web_port}",
                "DATABASE_URL": database.url,
                "REDIS_URL": redis.url,
                "PAGE_CACHE_FRONT_PROXIES": "",
                "GUNICORN_BIND": f"{HOST}:{web_port}",
                "WEB_CONCURRENCY": "1",
                "EMAIL_HOST": HOST,
                "EMAIL_PORT": str(sink.port),
                "EMAIL_USE_TLS": "false",
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "LOG_LEVEL": "WARNING",
            }
            env_path = tmp_path / "broadsheet.env"
            env_path.write_text("".join(f'{k}="{v}"\n' for k, v in env_file.items()))
            installed = subprocess.run(
                [str(ROOT / "deploy" / "install.sh")],
                cwd=ROOT,
                env={"PATH": os.environ.get("PATH", ""), "BROADSHEET_ENV_FILE": str(env_path)},
                capture_output=True,
                text=True,
                timeout=900,
            )
            (tmp_path / "install.log").write_text(installed.stdout + installed.stderr)
            if installed.returncode != 0:
                raise StartError(f"deploy/install.sh failed:\n{installed.stderr[-3000:]}")
            units = [Unit(name, run_dir=tmp_path / "run") for name in enabled_units(lines)]
            shell_env = units[0].environment(env_file)
            article_url = manage_shell(shell_env, SCHEDULED, logs=tmp_path).strip().splitlines()[-1]
            for unit in units:
                process = UnitProcess(unit, unit.environment(env_file), logs=tmp_path / "units")
                processes.append(process.start())
            # The public side, as the block sets it up: nginx (TLS) -> Varnish -> gunicorn.
            if VARNISHD and shutil.which("nginx") and shutil.which("openssl"):
                varnish = Varnish(backend_port=web_port, logs=tmp_path / "varnish")
                processes.append(varnish.start())
                processes.append(Nginx(varnish_port=varnish.port, logs=tmp_path / "nginx").start())
            yield {
                "web": HttpClient(web_port),
                "sink": sink,
                "database": database,
                "env": env_file,
                "article_url": article_url,
                "processes": processes,
                "nginx": next((p for p in processes if isinstance(p, Nginx)), None),
                "install_output": installed.stdout,
            }
    finally:
        for process in reversed(processes):
            process.stop()
        database.drop()


def eventually(check, *, attempts: int = 600, pause: float = 0.2):
    """The check's first truthy answer; the last answer if none came."""
    answer = None
    for _ in range(attempts):
        answer = check()
        if answer:
            return answer
        time.sleep(pause)
    return answer


def test_one_box_serves_publishes_on_schedule_and_sends_queued_email(one_box):
    web, sink, database, env = (one_box[k] for k in ("web", "sink", "database", "env"))

    # broadsheet_setup made the newsroom and its first admin from the environment file.
    admins = database.query(
        "SELECT email FROM accounts_user WHERE is_superuser AND is_staff AND email = %s",
        (env["BROADSHEET_ADMIN_EMAIL"],),
    )
    assert admins == [(env["BROADSHEET_ADMIN_EMAIL"],)]
    assert database.query("SELECT count(*) FROM subscriptions_plan")[0][0] == 6

    # A page, as a reader gets it.
    status, _headers, body = web.get("/en-us/")
    assert status == 200
    assert b"US Edition" in body

    # The scheduler publishes the article whose scheduled time passed.
    def published():
        status, _headers, body = web.get(one_box["article_url"])
        return status == 200 and b"Published by the scheduler." in body

    assert eventually(published), "the scheduler did not publish the scheduled article"

    # A newsletter signup: its confirmation goes through the default queue's worker to SMTP.
    (newsletter_id,) = database.query(
        "SELECT n.id FROM newsletters_newsletter n JOIN wagtailcore_locale l ON l.id = n.locale_id"
        " WHERE l.language_code = 'en-us' ORDER BY n.id LIMIT 1"
    )[0]
    status, _headers, _body = web.post_form(
        "/en-us/newsletters/signup/",
        {"email": "new.reader@example.org", "newsletters": str(newsletter_id)},
    )
    assert status in (200, 302, 303)
    delivered = eventually(
        lambda: [m for m in sink.handler.received if m.rcpt == "new.reader@example.org"]
    )
    assert delivered, "no confirmation email reached the SMTP server"
    message = email.message_from_bytes(delivered[0].content)
    text = "".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    assert f"{env['PUBLIC_SITE_URL']}/en-us/newsletters/confirm/" in text

    # Prometheus scrapes the web unit: the gunicorn workers' counts, summed from the
    # multiprocess directory the unit sets, and the queues read from the database.
    from prometheus_client.parser import text_string_to_metric_families

    status, _headers, body = web.get(
        "/metrics", headers={"Authorization": f"Bearer {env['METRICS_TOKEN']}"}
    )
    assert status == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    pages = (("status", "2xx"), ("view", "wagtail_serve"))
    assert samples[("broadsheet_request_duration_seconds_count", pages)] >= 2
    assert samples[("broadsheet_task_queue_depth", (("queue", "default"),))] >= 0
    assert web.get("/metrics")[0] == 403

    # Through nginx and Varnish, as readers come: over TLS, which Django learns from
    # X-Forwarded-Proto (SECURE_SSL_REDIRECT is on: without it the page would be a redirect).
    nginx = one_box["nginx"]
    if nginx is None:
        pytest.skip("varnishd, nginx or openssl missing: the public side was not checked")
    status, headers, body = nginx.https("GET", "/en-us/")
    assert status == 200
    assert b"US Edition" in body
    assert headers["x-cache"] in ("HIT", "MISS")
    assert "max-age" in headers["strict-transport-security"]
    # Every reader reaches Varnish from 127.0.0.1, which may BAN: nginx refuses the method.
    assert nginx.https("BAN", "/")[0] == 405
    assert nginx.https("GET", "/metrics")[0] == 404
    plain = http.client.HTTPConnection(HOST, nginx.http_port, timeout=15)
    plain.request("GET", "/en-us/", headers={"Host": HOST})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{HOST}/en-us/"
    plain.close()
