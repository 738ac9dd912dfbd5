"""docs/operations.md "One box", run as written (marker `topology`): its install step
(deploy/install.sh) on an empty PostgreSQL database with the environment file made from
deploy/broadsheet.env.example, then every Broadsheet unit its `systemctl enable` line names,
started from the unit's own ExecStart (deploy/systemd/). Then, as a reader and an editor would
see it: a page, a scheduled article published by the scheduler, a queued email delivered by
the worker over SMTP. Asserts content, never times."""

from __future__ import annotations

import email
import os
import re
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.tests.topology import (
    HOST,
    ROOT,
    HttpClient,
    PrivateRedis,
    Service,
    StartError,
    TopologyDatabase,
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
            env_file = read_environment_file(ENV_EXAMPLE) | {
                "SECRET_KEY": "one-box-" + "x" * 60,
                "PUBLIC_SITE_URL": f"https://{HOST}:{web_port}",
                "ALLOWED_HOSTS": HOST,
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
            yield {
                "web": HttpClient(web_port),
                "sink": sink,
                "database": database,
                "env": env_file,
                "article_url": article_url,
                "processes": processes,
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
