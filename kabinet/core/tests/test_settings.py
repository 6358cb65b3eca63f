"""Production settings refuse what would make the site unsafe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def start(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "KABINET_CAPTCHA_TEST_MODE")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = start(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_captcha_test_mode():
    result = start(DEBUG="0", SECRET_KEY="x" * 50, KABINET_CAPTCHA_TEST_MODE="1")

    assert result.returncode != 0
    assert "KABINET_CAPTCHA_TEST_MODE is for development only" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = start(DEBUG="0", SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr


def test_captcha_test_mode_accepts_passed_in_development():
    probe = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from captcha.fields import CaptchaField;"
        "CaptchaField().clean(['anykey', 'PASSED']); print('accepted')"
    )
    environment = {
        **os.environ,
        "DEBUG": "1",
        "KABINET_CAPTCHA_TEST_MODE": "1",
        "DJANGO_SETTINGS_MODULE": "kabinet.settings",
        "DATABASE_URL": "sqlite://:memory:",
    }

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == "accepted", result.stderr


def database_options(code: str) -> str:
    """The PostgreSQL connection options a process gets (no connection is opened)."""
    environment = {k: v for k, v in os.environ.items() if k != "KABINET_WEB_PROCESS"}
    environment["DATABASE_URL"] = "postgres://kabinet@127.0.0.1:5432/kabinet"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_web_processes_prepare_their_statements_and_commands_do_not():
    show = "from django.db import connection; print(connection.settings_dict['OPTIONS'])"
    web = database_options(f"import kabinet.wsgi; {show}")
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kabinet.settings'; django.setup()"
    command = database_options(f"{setup}; {show}")

    assert "'prepare_threshold': 5" in web and "'server_side_binding': True" in web
    assert "prepare_threshold" not in command and "'server_side_binding': True" in command
