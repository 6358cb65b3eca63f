"""«Забыли пароль?»: login → SMS code → new password, without telling who has a cabinet."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kabinet.audit.models import AuditEntry
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import ConfirmationCode

from .conftest import PASSWORD, sms_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Birch-Volga-Evening-7"
RESET_SMS = "Код для восстановления пароля:"


def ask_reset(client, login: str):
    return client.post(reverse("residents:password_reset"), {"login": login}, follow=True)


def enter_code(client, code: str, password: str = NEW_PASSWORD, again: str | None = None):
    data = {"code": code, "password1": password, "password2": again or password}
    return client.post(reverse("residents:password_reset_code"), data)


def test_forgot_password_link_leads_to_the_reset_form(client, company):
    html = client.get(reverse("residents:login")).content.decode()
    assert reverse("residents:password_reset") in html

    html = client.get(reverse("residents:password_reset")).content.decode()
    assert "Номер лицевого счета или телефон" in html


def test_resident_resets_the_password_with_the_code_and_signs_in(client, company, registered_ivanov):
    ask_reset(client, "1000123456")
    code = sms_code("+79123456789", RESET_SMS)

    response = enter_code(client, code)

    assert response.status_code == 302
    assert response["Location"] == reverse("residents:login")
    signed_in = client.post(reverse("residents:login"), {"username": "1000123456", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert client.login(username="1000123456", password=PASSWORD) is False


def test_reset_by_phone_written_as_people_write_it(client, company, registered_ivanov):
    ask_reset(client, "8 (912) 345-67-89")
    code = sms_code("+79123456789", RESET_SMS)

    assert enter_code(client, code).status_code == 302
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.check_password(NEW_PASSWORD)


def test_reset_ends_every_other_session(client, company, registered_ivanov):
    other_device = Client()
    other_device.force_login(registered_ivanov.user)
    assert other_device.get(reverse("residents:cabinet")).status_code == 200

    ask_reset(client, "1000123456")
    enter_code(client, sms_code("+79123456789", RESET_SMS))

    response = other_device.get(reverse("residents:cabinet"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("residents:login"))


def test_reset_sends_a_password_changed_email_and_is_logged(client, company, registered_ivanov):
    ask_reset(client, "1000123456")
    code = sms_code("+79123456789", RESET_SMS)
    enter_code(client, code)

    letter = OutboxMessage.objects.get(channel="email", recipient="ivanov@mail.ru")
    assert letter.subject == "Пароль от личного кабинета изменён"
    assert "восстановлен по коду из SMS" in letter.body
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert AuditEntry.Action.RESET_REQUESTED in actions
    assert AuditEntry.Action.PASSWORD_RESET in actions
    logged = str(list(AuditEntry.objects.values_list("target", "details")))
    assert code not in logged and NEW_PASSWORD not in logged


def test_the_answer_is_the_same_for_an_unknown_account_and_phone(company, registered_ivanov):
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

    def page(login: str) -> str:
        response = ask_reset(Client(), login)
        assert response.redirect_chain[-1][0] == reverse("residents:password_reset_code")
        return token.sub("", response.content.decode().replace(login, "LOGIN"))

    assert page("1000123456") == page("1000999999")
    assert page("+79123456789") == page("+79990000000")
    # Only the real cabinet's phone got SMS: once for the account number, once for the phone.
    assert OutboxMessage.objects.filter(channel="sms", recipient="+79123456789").count() == 2
    assert OutboxMessage.objects.filter(channel="sms").count() == 2


def test_unknown_login_answers_wrong_code_like_a_real_one_then_too_many(client, company):
    ask_reset(client, "1000999999")

    answers = [enter_code(client, "123456").content.decode() for _ in range(5)]

    assert all("Код неверный или устарел" in html for html in answers[:4])
    assert "Код введён неверно слишком много раз" in answers[4]


def _walk_the_reset(login: str) -> list[str]:
    """What the attacker did: ask, 5 wrong codes, ask again, a wrong code, let it expire, again."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    client = Client()

    def seen(response) -> str:
        return token.sub("", response.content.decode().replace(login, "LOGIN"))

    answers = [seen(ask_reset(client, login))]
    answers += [seen(enter_code(client, f"00000{n}")) for n in range(5)]
    answers.append(seen(ask_reset(client, login)))
    answers.append(seen(enter_code(client, "000009")))
    ConfirmationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answers.append(seen(enter_code(client, "000008")))
    return answers


def test_the_whole_reset_answers_alike_for_a_real_cabinet_and_a_made_up_login(company, registered_ivanov):
    real = _walk_the_reset("1000123456")
    made_up = _walk_the_reset("1000999999")

    assert real == made_up
    assert "Код неверный или устарел" in real[-2] and "Код неверный или устарел" in real[-1]
    assert "Код введён неверно слишком много раз" in real[5]


def test_a_cabinet_whose_phone_had_too_many_sms_answers_like_a_made_up_login(company, registered_ivanov):
    from kabinet.core import ratelimit

    for _ in range(5):  # the phone's SMS for this hour are used up, through other logins
        ratelimit.hit(("sms_phone", "+79123456789"))
    sent_before = OutboxMessage.objects.filter(channel="sms").count()

    assert _walk_the_reset("1000123456") == _walk_the_reset("1000999998")
    assert OutboxMessage.objects.filter(channel="sms").count() == sent_before  # the phone was spared


def test_code_is_refused_after_five_wrong_attempts(client, company, registered_ivanov):
    ask_reset(client, "1000123456")
    code = sms_code("+79123456789", RESET_SMS)
    wrong = f"{(int(code) + 1) % 1000000:06d}"

    for _ in range(5):
        enter_code(client, wrong)
    html = enter_code(client, code).content.decode()

    assert "Код введён неверно слишком много раз" in html
    registered_ivanov.user.refresh_from_db()
    assert registered_ivanov.user.check_password(PASSWORD)


def test_reset_code_lives_ten_minutes(client, company, registered_ivanov):
    ask_reset(client, "1000123456")
    code = sms_code("+79123456789", RESET_SMS)
    issued = ConfirmationCode.objects.get(purpose=ConfirmationCode.Purpose.PASSWORD_RESET)
    assert issued.expires_at - issued.created_at == timedelta(minutes=10)
    ConfirmationCode.objects.filter(pk=issued.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    html = enter_code(client, code).content.decode()

    assert "Код неверный или устарел" in html


def test_weak_new_password_is_refused_and_the_code_stays_usable(client, company, registered_ivanov):
    ask_reset(client, "1000123456")
    code = sms_code("+79123456789", RESET_SMS)

    html = enter_code(client, code, password="89123456789x").content.decode()
    assert "похож на номер телефона" in html

    assert enter_code(client, code).status_code == 302


def test_code_page_without_a_request_goes_back_to_step_one(client, company):
    response = client.get(reverse("residents:password_reset_code"))

    assert response["Location"] == reverse("residents:password_reset")


def test_closed_cabinet_gets_no_reset_code(client, company, registered_ivanov):
    registered_ivanov.user.is_active = False
    registered_ivanov.user.save()

    ask_reset(client, "1000123456")

    assert not OutboxMessage.objects.filter(channel="sms").exists()
