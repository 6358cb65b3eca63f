"""The audit log: sign-ins, failures, staff decisions and profile changes; never a password or code."""

import pytest
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.audit.services import record
from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount
from kabinet.testing import sign_in_staff, submit_request

pytestmark = pytest.mark.django_db
LOG = "/admin/audit/auditentry/"
PASSWORD = "Sunflower-Tver-1961"


@pytest.fixture
def ivanov(ivanov_account) -> Resident:
    user = User.objects.create_user("1000123456", password=PASSWORD)
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


@pytest.fixture
def staff_client(client, operator):
    sign_in_staff(client, operator)
    return client


def test_record_never_keeps_passwords_or_codes_whatever_the_caller_passes(operator):
    entry = record(
        action=AuditEntry.Action.EXPORT,
        actor=operator,
        ip="192.0.2.1",
        target="показания за март\x00",
        details={
            "rows": 1520,
            "password": "hunter2",
            "new_password1": "x",
            "code": "123456",
            "nested": {"sms_code": "1"},
        },
    )

    entry.refresh_from_db()
    assert entry.details == {
        "rows": 1520,
        "password": "[скрыто]",
        "new_password1": "[скрыто]",
        "code": "[скрыто]",
        "nested": {"sms_code": "[скрыто]"},
    }
    assert entry.target == "показания за март"
    assert (entry.actor_name, entry.is_staff) == ("operator", True)


def test_sign_in_and_failed_sign_in_are_logged_without_the_password(client, company, ivanov):
    client.post(reverse("residents:login"), {"username": "1000123456", "password": "Wrong-Secret-42"})
    client.post(reverse("residents:login"), {"username": "1000123456", "password": PASSWORD})

    failed = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    signed_in = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert failed.target == "1000123456" and failed.ip_address == "127.0.0.1"
    assert signed_in.actor == ivanov.user and signed_in.actor_name == "Иванов Иван Иванович"
    everything = str(list(AuditEntry.objects.values()))
    assert "Wrong-Secret-42" not in everything and PASSWORD not in everything


def test_staff_approval_and_rejection_are_logged_with_who_decided(
    staff_client, company, ivanov_account, operator
):
    approved = submit_request(phone="+79990001122")
    rejected = submit_request(account_number="5555555555")

    staff_client.post(reverse("admin:residents_request_approve", args=[approved.pk]))
    staff_client.post(
        reverse("admin:residents_request_reject", args=[rejected.pk]), {"reason": "Нет такого счёта"}
    )

    approval = AuditEntry.objects.get(action=AuditEntry.Action.REQUEST_APPROVED)
    rejection = AuditEntry.objects.get(action=AuditEntry.Action.REQUEST_REJECTED)
    assert approval.actor == operator and approval.details["account"] == "1000123456"
    assert rejection.actor == operator and rejection.details["reason"] == "Нет такого счёта"


def test_automatic_approval_is_logged_as_the_systems(company, ivanov_account):
    submit_request()

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REQUEST_APPROVED)
    assert entry.actor is None and entry.details["automatically"] is True


def test_back_office_log_is_read_only_in_russian_with_filters_and_search(staff_client, company, ivanov):
    record(action=AuditEntry.Action.LOGIN_FAILED, ip="192.0.2.7", target="1000123456")
    record(action=AuditEntry.Action.LOGIN_FAILED, ip="192.0.2.8", target="1000777777")
    entry = record(action=AuditEntry.Action.EMAIL_CHANGED, actor=ivanov.user, target="Иванов Иван Иванович")

    html = staff_client.get(LOG).content.decode()
    assert "Журнал действий" in html and "неудачный вход" in html and "e-mail изменён" in html
    assert f"{LOG}add/" not in html

    found = staff_client.get(LOG, {"q": "1000777777"}).content.decode()
    assert "192.0.2.8" in found and "192.0.2.7" not in found
    filtered = staff_client.get(LOG, {"action__exact": "email_changed"}).content.decode()
    assert "Иванов Иван Иванович" in filtered and "192.0.2.7" not in filtered

    detail = staff_client.get(f"{LOG}{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert staff_client.post(f"{LOG}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_markup_in_logged_text_is_shown_escaped_in_the_back_office(staff_client, company):
    record(action=AuditEntry.Action.LOGIN_FAILED, target="<script>alert(1)</script>")

    html = staff_client.get(LOG).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_sign_out_is_logged(client, company, ivanov):
    client.force_login(ivanov.user)

    client.post(reverse("residents:logout"))

    assert AuditEntry.objects.get(action=AuditEntry.Action.LOGOUT).actor == ivanov.user
