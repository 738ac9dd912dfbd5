"""Every environment variable the code reads (the settings above all) is in the one table of
docs/operations.md, and the table names none that nothing reads: an operator configures
Broadsheet from that table alone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Where configuration is read: the project's code (the settings layers above all, commands
# too), gunicorn's config and the entry points; not the tests.
CONFIG_FILES = [
    *sorted(path for path in (ROOT / "broadsheet").rglob("*.py") if "tests" not in path.parts),
    ROOT / "deploy" / "gunicorn.conf.py",
    ROOT / "manage.py",
]
ENV_HELPERS = {"env_str", "env_int", "env_bool", "env_list", "env_renamed"}
OS_ENV_METHODS = {"get", "setdefault", "pop"}


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def environment_names_read(source: str) -> set[str]:
    """The variable names a module reads: through the env_* helpers, os.environ.get/[...] and
    os.getenv, with the name written out (a name computed at run time is not configuration)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            function = node.func
            helper = isinstance(function, ast.Name) and function.id in ENV_HELPERS
            os_getenv = isinstance(function, ast.Attribute) and function.attr == "getenv"
            os_environ = (
                isinstance(function, ast.Attribute)
                and function.attr in OS_ENV_METHODS
                and isinstance(function.value, ast.Attribute)
                and function.value.attr == "environ"
            )
            if helper or os_getenv or os_environ:
                names.add(_literal(node.args[0]) if node.args else None)
                names.update(_literal(k.value) for k in node.keywords if k.arg == "old")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "environ":
                names.add(_literal(node.slice))
        elif isinstance(node, ast.Compare) and isinstance(node.comparators[0], ast.Attribute):
            # `"NAME" in os.environ`
            if node.comparators[0].attr == "environ":
                names.add(_literal(node.left))
    return {name for name in names if name}


def documented_names() -> set[str]:
    """The backquoted names in the first column of the table under "## Configuration"."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_column))
    return names


def test_the_reader_finds_every_way_a_name_is_read():
    source = """
import os
A = env_int("ONE", 1)
B = os.environ.get("TWO", "")
C = os.environ["THREE"]
D = os.getenv("FOUR")
E = env_renamed("FIVE", old="SIX", default="")
if "SEVEN" in os.environ:
    pass
F = os.environ.get(name)
"""
    assert environment_names_read(source) == {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN"}


@pytest.fixture(scope="module")
def read_names() -> set[str]:
    names = set()
    for path in CONFIG_FILES:
        names |= environment_names_read(path.read_text())
    return names


def test_every_variable_the_settings_read_is_documented(read_names):
    missing = read_names - documented_names()
    assert not missing, f"add to the table in docs/operations.md: {sorted(missing)}"


def test_the_table_documents_only_variables_that_are_read(read_names):
    stale = documented_names() - read_names
    assert not stale, f"docs/operations.md documents what nothing reads: {sorted(stale)}"


def test_the_mail_settings_and_the_renamed_public_url_are_among_them(read_names):
    assert {
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "EMAIL_TIMEOUT",
        "EMAIL_PROVIDER",
        "EMAIL_PROVIDER_API_KEY",
        "SECRET_KEY_FALLBACKS",
        "TRUSTED_PROXY_COUNT",
        "PUBLIC_SITE_URL",
        "GUNICORN_CONTROL_SOCKET",
    } <= read_names


def production_settings(**environment: str) -> tuple[int, str, str]:
    """Load the production settings in a fresh process with only `environment` (and a key):
    its exit status, what it printed (the settings asked for, as JSON) and its stderr."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json;"
        "from django.conf import settings;"
        "print(json.dumps({name: getattr(settings, name, None) for name in"
        " ['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD',"
        "  'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_TIMEOUT', 'ANYMAIL', 'WAGTAILADMIN_BASE_URL',"
        "  'ACCOUNT_DEFAULT_HTTP_PROTOCOL', 'SECRET_KEY_FALLBACKS',"
        "  'ALLAUTH_TRUSTED_PROXY_COUNT']},"
        " default=str))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "broadsheet.settings.production",
        "SECRET_KEY": "k" * 60,
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    values = json.loads(result.stdout) if result.returncode == 0 else {}
    return result.returncode, values, result.stderr


def test_smtp_login_and_starttls_come_from_the_environment():
    status, values, _stderr = production_settings(
        EMAIL_HOST="smtp.example.net",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="sender",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="true",
        EMAIL_TIMEOUT="12",
    )
    assert status == 0
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"]) == ("smtp.example.net", 587)
    assert (values["EMAIL_HOST_USER"], values["EMAIL_HOST_PASSWORD"]) == ("sender", "s3cret")
    assert (values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (True, False)
    assert values["EMAIL_TIMEOUT"] == 12


def test_starttls_and_ssl_together_refuse_to_start_saying_why():
    status, _values, stderr = production_settings(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert status != 0
    assert "EMAIL_USE_TLS (STARTTLS) and EMAIL_USE_SSL exclude each other" in stderr


@pytest.mark.parametrize(
    ("provider", "key_setting"),
    [("mailgun", "MAILGUN_API_KEY"), ("postmark", "POSTMARK_SERVER_TOKEN")],
)
def test_an_anymail_provider_and_its_keys_come_from_the_environment(provider, key_setting):
    status, values, _stderr = production_settings(
        EMAIL_PROVIDER=provider,
        EMAIL_PROVIDER_API_KEY="key-123",
        EMAIL_PROVIDER_API_URL="https://api.eu.example.net/v3",
    )
    assert status == 0
    assert values["EMAIL_BACKEND"] == f"anymail.backends.{provider}.EmailBackend"
    prefix = provider.upper()
    assert values["ANYMAIL"] == {
        key_setting: "key-123",
        f"{prefix}_API_URL": "https://api.eu.example.net/v3",
    }


def test_a_provider_and_a_backend_together_refuse_to_start():
    status, _values, stderr = production_settings(
        EMAIL_PROVIDER="mailgun", EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
    )
    assert status != 0
    assert "EMAIL_PROVIDER or EMAIL_BACKEND, not both" in stderr


def test_the_public_site_url_is_read_under_its_old_name_with_a_warning_shown_by_default():
    status, values, stderr = production_settings(BASE_URL="https://old.example.com")
    assert status == 0
    assert values["WAGTAILADMIN_BASE_URL"] == "https://old.example.com"
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert "BASE_URL is deprecated: set PUBLIC_SITE_URL instead" in stderr

    status, values, stderr = production_settings(
        BASE_URL="https://old.example.com", PUBLIC_SITE_URL="https://news.example.com"
    )
    assert values["WAGTAILADMIN_BASE_URL"] == "https://news.example.com"
    assert "deprecated" not in stderr


def test_key_fallbacks_and_the_proxy_count_come_from_the_environment():
    status, values, _stderr = production_settings(
        SECRET_KEY_FALLBACKS="old-one, older-one", TRUSTED_PROXY_COUNT="2"
    )
    assert status == 0
    assert values["SECRET_KEY_FALLBACKS"] == ["old-one", "older-one"]
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2
