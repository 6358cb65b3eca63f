"""The operators' queue of registration requests in the back-office."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import RegistrationRequest, RejectionReason
from kabinet.testing import sign_in_staff, submit_request

pytestmark = pytest.mark.django_db
QUEUE = "/admin/residents/registrationrequest/"


def pending_request(**overrides) -> RegistrationRequest:
    """Maria applies for Ivanov's account from her own phone: it waits for an operator."""
    maria = {"full_name": "Иванова Мария Петровна", "phone": "+79990001122", "email": "maria@mail.ru"}
    return submit_request(**{**maria, **overrides})


@pytest.fixture
def staff_client(client, operator):
    sign_in_staff(client, operator)
    return client


def test_queue_shows_what_matched_and_what_did_not(staff_client, company, ivanov_account):
    pending_request()

    html = staff_client.get(QUEUE).content.decode()

    assert "Иванова Мария Петровна" in html
    assert '<span class="check check--ok" title="да">✔ счёт</span>' in html
    assert '<span class="check check--bad" title="нет">✘ ФИО</span>' in html
    assert '<span class="check check--bad" title="нет">✘ телефон</span>' in html
    assert "+7 999 000-11-22" in html


def test_request_waiting_over_three_days_stands_out(staff_client, company, ivanov_account):
    request = pending_request()
    RegistrationRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=3, hours=2)
    )

    html = staff_client.get(QUEUE).content.decode()
    overdue_only = staff_client.get(QUEUE, {"overdue": "yes"}).content.decode()

    assert "3 дн. 2 ч — просрочена" in html
    assert 'class="overdue"' in html
    assert "Иванова Мария Петровна" in overdue_only


def test_fresh_request_is_not_in_the_overdue_filter(staff_client, company, ivanov_account):
    pending_request()

    html = staff_client.get(QUEUE, {"overdue": "yes"}).content.decode()

    assert "Иванова Мария Петровна" not in html


def test_queue_searches_by_account_number_and_name(staff_client, company, ivanov_account, neighbour_account):
    pending_request()
    pending_request(full_name="Сидоров Пётр Николаевич", account_number="1000123457", email="p@mail.ru")

    html = staff_client.get(QUEUE, {"q": "1000123457"}).content.decode()

    assert "Сидоров Пётр Николаевич" in html and "Иванова Мария Петровна" not in html


def test_request_page_shows_the_billing_holder_beside_the_applicant(staff_client, company, ivanov_account):
    request = pending_request()

    html = staff_client.get(f"{QUEUE}{request.pk}/change/").content.decode()

    assert "Иванов Иван Иванович; г. Тверь, ул. Советская, д. 12, кв. 5; +7 912 345-67-89" in html
    assert "Одобрить и отправить код" in html
    assert "Отклонить заявку" in html


def test_operator_approves_from_the_request_page(staff_client, company, ivanov_account):
    request = pending_request()

    response = staff_client.post(reverse("admin:residents_request_approve", args=[request.pk]), follow=True)

    request.refresh_from_db()
    assert request.status == RegistrationRequest.Status.APPROVED
    assert "одобрена: код подтверждения отправлен в SMS на +7 999 000-11-22" in response.content.decode()
    assert OutboxMessage.objects.filter(channel="sms", recipient="+79990001122").exists()


def test_approval_of_unknown_account_is_refused_with_the_reason(staff_client, company):
    request = pending_request(account_number="5555555555")

    response = staff_client.post(reverse("admin:residents_request_approve", args=[request.pk]), follow=True)

    assert "не одобрена: Лицевой счёт не найден" in response.content.decode()


def test_operator_rejects_with_a_reason_that_reaches_the_applicant(staff_client, company, ivanov_account):
    request = pending_request()

    response = staff_client.post(
        reverse("admin:residents_request_reject", args=[request.pk]),
        {"reason": "Заявитель не является владельцем счёта."},
        follow=True,
    )

    request.refresh_from_db()
    assert request.status == RegistrationRequest.Status.REJECTED
    assert request.rejection_reason == "Заявитель не является владельцем счёта."
    assert "отклонена: причина отправлена заявителю в SMS и на maria@mail.ru" in response.content.decode()
    letter = OutboxMessage.objects.get(
        channel="email", recipient="maria@mail.ru", subject__contains="отклонена"
    )
    assert "Заявитель не является владельцем счёта." in letter.body


def test_operator_picks_a_ready_reason_and_may_add_words_of_their_own(staff_client, company, ivanov_account):
    request = pending_request()
    ready = RejectionReason.objects.get(text__startswith="ФИО в заявке не совпадает")

    page = staff_client.get(reverse("admin:residents_registrationrequest_change", args=[request.pk]))
    staff_client.post(
        reverse("admin:residents_request_reject", args=[request.pk]),
        {"ready": ready.pk, "reason": "В квитанции: Иванов Иван Иванович."},
    )

    assert ready.text in page.content.decode()  # the operator reads what the applicant will read
    request.refresh_from_db()
    assert request.rejection_reason == f"{ready.text} В квитанции: Иванов Иван Иванович."


def test_a_reason_the_administrator_turned_off_is_not_offered(staff_client, company, ivanov_account):
    request = pending_request()
    retired = RejectionReason.objects.create(text="Причина, которую больше не предлагают.", is_active=False)

    page = staff_client.get(reverse("admin:residents_registrationrequest_change", args=[request.pk]))

    assert retired.text not in page.content.decode()


def test_the_queue_puts_the_check_the_wait_and_the_state_first(staff_client, company, ivanov_account):
    pending_request()

    html = staff_client.get(QUEUE).content.decode()
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', html)

    assert headers[:3] == ["checks", "waiting", "status"]


def test_rejection_without_reason_is_refused_and_says_why(staff_client, company, ivanov_account):
    request = pending_request()

    response = staff_client.post(
        reverse("admin:residents_request_reject", args=[request.pk]), {"reason": ""}, follow=True
    )

    assert "не отклонена: выберите причину из списка или напишите свою" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RegistrationRequest.Status.PENDING


def test_bulk_rejection_asks_for_the_reason_first(staff_client, company, ivanov_account, neighbour_account):
    first = pending_request()
    second = pending_request(
        full_name="Сидоров Пётр Николаевич", account_number="1000123457", email="p@mail.ru"
    )
    selection = {"action": "reject_selected", "_selected_action": [first.pk, second.pk]}

    ask = staff_client.post(QUEUE, selection)
    assert "Причина отказа" in ask.content.decode()
    assert RegistrationRequest.objects.filter(status="pending").count() == 2

    done = staff_client.post(
        QUEUE, {**selection, "apply": "1", "reason": "Данные не совпадают."}, follow=True
    )
    assert RegistrationRequest.objects.filter(status="rejected").count() == 2
    assert "отклонена" in done.content.decode()


def test_sms_log_in_back_office_hides_the_code(staff_client, company, ivanov_account):
    pending_request(full_name="Иванов Иван Иванович", phone="+79123456789")  # approved at once

    html = staff_client.get("/admin/messaging/outboxmessage/").content.decode()

    assert "Код подтверждения регистрации: ••••••" in html
    assert not __import__("re").search(r"регистрации: \d{6}", html)


def test_a_squatters_request_is_contested_by_the_holders_and_shown_to_the_operator(
    staff_client, company, ivanov_account, published_policies, capsys
):
    from django.test import Client

    from kabinet.testing import registration_post

    squatter, holder = Client(), Client()
    squatter.post(
        reverse("residents:register"),
        registration_post(full_name="Петров Пётр Петрович", phone="+79990001122", email="x@evil.example"),
    )

    answer = holder.post(reverse("residents:register"), registration_post(), follow=True)

    assert answer.redirect_chain[-1][0] == reverse("residents:request_sent")
    codes = OutboxMessage.objects.filter(channel="sms", recipient="+79123456789")
    assert codes.count() == 1 and "Код подтверждения регистрации" in codes.get().body
    contested = RegistrationRequest.objects.get(full_name="Петров Пётр Петрович")
    assert contested.status == RegistrationRequest.Status.CONTESTED
    queue = staff_client.get(
        reverse("admin:residents_registrationrequest_changelist"), {"status__exact": "contested"}
    )
    assert "Петров Пётр Петрович" in queue.content.decode()
    page = staff_client.get(reverse("admin:residents_registrationrequest_change", args=[contested.pk])).text
    assert "Заявка оспорена" in page and "Отклонить заявку" in page
    with capsys.disabled():
        print("\n[attack] squatting request: the holder got the code, the squatter's request is contested")
