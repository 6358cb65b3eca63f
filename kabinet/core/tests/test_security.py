"""Headers, cookies and CSRF: what a browser is told to protect the resident."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kabinet.core.models import User
from kabinet.residents.models import RegistrationRequest
from kabinet.testing import deploy_check

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "kabinet"


def test_deploy_check_with_production_settings_reports_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KABINET_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kabinet.example.ru",
        KABINET_VAR_DIR=str(tmp_path),
    )
    env.pop("DATABASE_URL", None)
    result = deploy_check(env, fail_level="WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/password/", "/registration/", "/admin/login/"])
def test_every_page_carries_the_protective_headers(client, company, path):
    response = client.get(path)

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def _page_templates() -> list[Path]:
    # E-mail bodies are not pages: mail clients need their inline styles, and CSP does not apply.
    return [p for p in TEMPLATES.rglob("templates/**/*.html") if "messaging/email" not in p.as_posix()]


def test_no_template_has_inline_script_style_or_event_handlers():
    """The policy forbids them: anything inline would silently stop working in the browser."""
    found = []
    for template in _page_templates():
        text = template.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            found += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]

    assert len(_page_templates()) > 10
    assert found == []


def test_production_cookies_are_secure_and_http_only_and_hsts_is_on():
    """Read from a production start of the settings module, as the server would have them."""
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kabinet.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE,"
        " s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    env.pop("KABINET_CAPTCHA_TEST_MODE", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.stdout.split() == ["True", "True", "True", "True", "31536000", "True", "True"], (
        result.stderr
    )


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("residents:login", {"username": "1000123456", "password": "Sunflower-Tver-1961"}),
        ("residents:password_reset", {"login": "1000123456"}),
        ("residents:register", {"full_name": "Иванов Иван Иванович", "account_number": "1000123456"}),
        ("residents:confirm_code", {"account_number": "1000123456", "code": "123456"}),
        ("residents:logout", {}),
    ],
)
def test_forged_form_without_csrf_token_is_refused_in_russian(csrf_client, company, url, data):
    response = csrf_client.post(reverse(url), data)

    assert response.status_code == 403
    assert "Форма устарела" in response.content.decode()
    assert RegistrationRequest.objects.count() == 0


@pytest.mark.django_db
def test_forged_profile_change_is_refused(csrf_client, company, ivanov_account):
    from kabinet.residents.models import Resident

    user = User.objects.create_user("1000123456", password="Sunflower-Tver-1961", email="ivanov@mail.ru")
    Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    csrf_client.force_login(user)

    for name, data in [
        ("residents:profile_email", {"email": "attacker@evil.example"}),
        ("residents:profile_phone", {"phone": "+79990000000"}),
        ("residents:close_cabinet", {"password": "Sunflower-Tver-1961", "confirm": "on"}),
    ]:
        assert csrf_client.post(reverse(name), data).status_code == 403

    user.refresh_from_db()
    assert user.email == "ivanov@mail.ru" and user.is_active


def test_password_hasher_is_argon2id_first():
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    assert hasher.algorithm == "argon2"
    assert hasher.encode("x" * 8, hasher.salt()).startswith("argon2$argon2id$")
    assert settings.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 8


def test_the_browsers_favicon_request_finds_the_site_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/core/favicon.svg")
