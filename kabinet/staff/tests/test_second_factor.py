"""Staff who can see personal data confirm the back-office sign-in with a code from an app."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kabinet.audit.models import AuditEntry
from kabinet.core.models import User
from kabinet.testing import sign_in_staff, totp_device, totp_now

pytestmark = pytest.mark.django_db
PASSWORD = "operator-pass-2026"
ADMIN_INDEX = reverse("admin:index")
QUEUE = reverse("admin:residents_registrationrequest_changelist")


def password_step(
    client: Client, username: str = "operator", password: str = PASSWORD, next_: str = ADMIN_INDEX
):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": next_}, follow=True
    )


def code_step(client: Client, code: str, next_: str = ADMIN_INDEX):
    return client.post(reverse("admin:otp_verify"), {"code": code, "next": next_}, follow=True)


def actions(user: User) -> list[str]:
    return list(AuditEntry.objects.filter(actor=user).order_by("at", "id").values_list("action", flat=True))


@pytest.fixture
def clerk(db) -> User:
    """A member of staff who works the registration queue: personal data, so a second factor."""
    user = User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_registrationrequest"))
    return user


@pytest.fixture
def editor(db) -> User:
    """Edits the news and pages of the public site only: nobody's personal data."""
    user = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    group = Group.objects.create(name="Редакторы сайта")
    group.permissions.set(Permission.objects.filter(content_type__app_label="public"))
    user.groups.add(group)
    return user


def test_first_sign_in_sets_the_app_up_with_a_qr_code_and_gives_recovery_codes(client, operator):
    page = password_step(client)

    assert page.redirect_chain[-1][0].startswith(reverse("admin:otp_setup"))
    html = page.content.decode()
    assert "Подключите второй фактор" in html
    assert 'src="data:image/png;base64,' in html  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=operator, confirmed=False)

    wrong = client.post(reverse("admin:otp_setup"), {"code": "000000", "next": ADMIN_INDEX})
    assert "Код не подошёл" in wrong.content.decode()
    assert client.get(QUEUE).status_code == 302  # nothing of the back-office before the factor

    done = client.post(
        reverse("admin:otp_setup"), {"code": totp_now(device), "next": ADMIN_INDEX}, follow=True
    )

    codes = re.findall(r"<code>([a-z2-7]{4} [a-z2-7]{4})</code>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "больше они показаны не будут" in done.content.decode()
    assert client.get(QUEUE).status_code == 200
    assert actions(operator)[-1] == AuditEntry.Action.OTP_SETUP
    # Shown once: the page does not show them again.
    assert "<code>" not in client.get(reverse("admin:otp_recovery")).content.decode()


def test_next_sign_in_asks_for_the_code_and_logs_both_answers(client, operator):
    device = totp_device(operator)

    asked = password_step(client, next_=QUEUE)
    assert asked.redirect_chain[-1][0].startswith(reverse("admin:otp_verify"))
    assert client.get(QUEUE).status_code == 302

    refused = code_step(client, "123456", next_=QUEUE)
    assert "Код не подошёл" in refused.content.decode()

    answered = code_step(client, totp_now(device), next_=QUEUE)

    assert answered.redirect_chain[-1][0] == QUEUE
    assert "Заявки на регистрацию" in answered.content.decode()
    assert actions(operator)[-2:] == [AuditEntry.Action.OTP_FAILED, AuditEntry.Action.OTP_VERIFIED]


def test_a_code_from_the_app_cannot_be_used_twice(operator):
    device = totp_device(operator)
    code = totp_now(device)
    first, second = Client(), Client()
    password_step(first)
    password_step(second)

    assert code_step(first, code).redirect_chain[-1][0] == ADMIN_INDEX
    assert "Код не подошёл" in code_step(second, code).content.decode()


def test_a_recovery_code_works_once(client, operator):
    totp_device(operator)
    sign_in_staff(client, operator)
    client.post(reverse("admin:otp_recovery"))
    codes = list(StaticToken.objects.filter(device__user=operator).values_list("token", flat=True))
    spoken = f"{codes[0][:4].upper()}-{codes[0][4:].upper()}"  # as people copy it from paper
    client.post(reverse("admin:logout"))

    password_step(client)
    assert code_step(client, spoken).redirect_chain[-1][0] == ADMIN_INDEX
    client.post(reverse("admin:logout"))
    password_step(client)
    again = code_step(client, codes[0])

    assert "Код не подошёл" in again.content.decode()
    assert AuditEntry.objects.filter(actor=operator, action=AuditEntry.Action.OTP_RECOVERY_USED).count() == 1
    assert StaticToken.objects.filter(device__user=operator).count() == 9


def test_a_stolen_password_cannot_replace_the_app(client, operator):
    totp_device(operator)
    password_step(client)

    response = client.get(reverse("admin:otp_setup"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:otp_verify"))
    assert TOTPDevice.objects.filter(user=operator).count() == 1


def test_wrong_codes_lock_the_second_step_even_for_the_right_code(client, operator):
    device = totp_device(operator)
    password_step(client)
    for n in range(5):
        assert "Код не подошёл" in code_step(client, f"00000{n}").content.decode()

    locked = code_step(client, totp_now(device))

    assert "Слишком много попыток ввести код второго фактора" in locked.content.decode()
    assert client.get(QUEUE).status_code == 302


def test_staff_with_personal_data_need_the_factor_and_site_editors_do_not(clerk, editor):
    clerk_client, editor_client = Client(), Client()

    clerk_page = password_step(clerk_client, "clerk")
    editor_page = password_step(editor_client, "editor")

    assert clerk_page.redirect_chain[-1][0].startswith(reverse("admin:otp_setup"))
    assert editor_page.redirect_chain[-1][0] == ADMIN_INDEX
    assert editor_client.get(reverse("admin:public_newsitem_changelist")).status_code == 200


def test_demo_users_may_skip_the_factor_only_with_debug_on(settings, operator):
    settings.STAFF_2FA_DEMO_USERNAMES = ["operator"]
    settings.DEBUG = True
    assert password_step(Client()).redirect_chain[-1][0] == ADMIN_INDEX

    settings.DEBUG = False
    assert password_step(Client()).redirect_chain[-1][0].startswith(reverse("admin:otp_setup"))


def test_demo_setting_refuses_to_start_without_debug():
    import subprocess
    import sys

    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 40,
        "KABINET_DEMO_STAFF_WITHOUT_2FA": "1",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='kabinet.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "KABINET_DEMO_STAFF_WITHOUT_2FA is for the demo" in result.stderr


def test_an_administrator_resets_a_lost_factor_and_the_log_says_who(admin_client, admin_user, clerk):
    totp_device(clerk)

    response = admin_client.post(
        reverse("admin:core_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [clerk.pk]},
        follow=True,
    )

    assert "Второй фактор сброшен: clerk" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.OTP_RESET)
    assert (entry.actor, entry.target) == (admin_user, "clerk")
    assert password_step(Client(), "clerk").redirect_chain[-1][0].startswith(reverse("admin:otp_setup"))
