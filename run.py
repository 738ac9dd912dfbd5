#!/usr/bin/env python3
"""Broadsheet's two front doors, with nothing but the python3 of a fresh machine:

    python3 run.py demo    set up and run the demo site on SQLite (no other service)
    python3 run.py test    run the whole test suite (pass pytest options after it)

Both create .venv/ and install the pinned requirements the first time (and again when the
requirements files change). Settings come from the environment (see docs/operations.md); the
tests run on SQLite unless DATABASE_URL (and REDIS_URL) say otherwise.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
MINIMUM_PYTHON = (3, 11)


def fail(message: str) -> None:
    print(f"\nrun.py: {message}", file=sys.stderr)
    sys.exit(1)


def run(*args: str | Path, env: dict | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        fail(f"this step failed (exit {result.returncode}): {' '.join(map(str, args))}")


def ensure_environment(requirements: str) -> None:
    if sys.version_info < MINIMUM_PYTHON:
        fail(
            f"Broadsheet needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer; "
            f"this is {sys.version.split()[0]}."
        )
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv/ ...")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # noqa: BLE001
            fail(
                f"could not create .venv ({error}). On Debian or Ubuntu: "
                "apt-get install python3-venv"
            )
    wanted = hashlib.sha256(
        b"".join((ROOT / name).read_bytes() for name in ("requirements.txt", requirements))
    ).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"Installing {requirements} into .venv/ (first run only) ...")
        run(
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            requirements,
        )
        stamp.write_text(wanted)


def manage_logged(*args: str, env: dict, log, show: bool = False) -> None:
    """Run a manage.py step with its output in the log; `show` echoes what it prints (not what
    it logs, which goes to stderr) here too."""
    log.flush()
    result = subprocess.run(  # noqa: S603
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    log.write(result.stdout)
    log.flush()
    if show:
        print("".join(f"  {line}\n" for line in result.stdout.splitlines()), end="", flush=True)
    if result.returncode != 0:
        fail(
            f"this step failed (exit {result.returncode}): manage.py {' '.join(args)}; "
            f"its output is at the end of {log.name}"
        )


def demo(argv: list[str]) -> None:
    ensure_environment("requirements.txt")
    port = argv[0] if argv else os.environ.get("PORT", "8000")
    if not port.isdigit() or not 0 < int(port) < 65536:
        fail(f"the port must be a number from 1 to 65535, not {port!r}.")
    # Links in emails (newsletters, invitations) name the demo's own address too.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "broadsheet.settings.dev",
        "PUBLIC_SITE_URL": os.environ.get("PUBLIC_SITE_URL", f"http://localhost:{port}"),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log_path = ROOT / "var" / "demo.log"
    print(f"Setting up the demo (its logs go to {log_path}) ...", flush=True)
    log = log_path.open("a")
    log.write(f"\n--- run.py demo {port} ---\n")
    manage_logged("migrate", "--no-input", "-v", "0", env=env, log=log)
    # The production setup step (docs/operations.md); the site's port from PUBLIC_SITE_URL.
    manage_logged("broadsheet_setup", "--no-input", env=env, log=log)
    manage_logged("load_demo_content", env=env, log=log, show=True)
    password = secrets.token_urlsafe(9)
    manage_logged("demo_editor", "--password", password, env=env, log=log)
    manage_logged("demo_reader", "--password", password, env=env, log=log)
    # From here on the workers and the web server, which write where run.py does, write to the
    # log; the banner goes to the terminal, last, so that it stays in view.
    terminal = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log.fileno(), sys.stdout.fileno())
    os.dup2(log.fileno(), sys.stderr.fileno())
    # Background tasks (search index, purges, newsletter sends) and the periodic jobs that
    # production's scheduler runs (scheduled publishing, digests, view-count rollups).
    workers = [
        # One worker per queue, as in production (docs/operations.md): a newsletter send never
        # holds up a confirmation email.
        subprocess.Popen([str(PYTHON), "manage.py", "db_worker"], cwd=ROOT, env=env),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [str(PYTHON), "manage.py", "db_worker", "--queue-name", "newsletters"],
            cwd=ROOT,
            env=env,
        ),
        # Every periodic job, from the list production's scheduler runs
        # (broadsheet/operations/periodic.py).
        subprocess.Popen([str(PYTHON), "manage.py", "scheduler"], cwd=ROOT, env=env),  # noqa: S603
    ]
    terminal.write(
        f"\n  Broadsheet demo: http://localhost:{port}/\n"
        f"  Newsroom admin:  http://localhost:{port}/admin/\n"
        f"  Sign in as 'editor' with password '{password}'\n"
        f"  Reader with a Premium subscription: subscriber@example.com, same password\n"
        f"  Logs, and the emails the site sends: {log_path}\n"
        "  Stop with Ctrl-C.\n"
    )
    terminal.flush()
    # Stopped by a process manager rather than Ctrl-C: stop the workers and the server too.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    try:
        subprocess.run(  # noqa: S603
            [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
        )
    except KeyboardInterrupt:
        pass
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # SIGINT is ignored by a process started in the background without job control.
                worker.kill()
                worker.wait()
        terminal.write("  Demo stopped.\n")


def test(argv: list[str]) -> None:
    ensure_environment("requirements-dev.txt")
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "broadsheet.settings.test"}
    print(
        f"Database: {env.get('DATABASE_URL', 'SQLite (embedded default)')}; "
        f"cache: {env.get('REDIS_URL', 'local memory')}"
    )
    result = subprocess.run([str(PYTHON), "-m", "pytest", *argv], cwd=ROOT, env=env)  # noqa: S603
    sys.exit(result.returncode)


COMMANDS = {"demo": demo, "test": test}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])
