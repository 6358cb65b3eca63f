"""SMS length: Cyrillic goes as UCS-2, and Kabinet's texts stay within two segments."""

import re

import pytest

from kabinet.messaging.models import OutboxMessage
from kabinet.messaging.sms import is_gsm7, segments
from kabinet.residents.services import access
from kabinet.residents.services.registration import confirm_registration, reject_request
from kabinet.testing import submit_request

# A long but real-looking address of a company's cabinet (52 characters without the scheme).
LONG_SITE_URL = "https://lichnyj-kabinet.upravlyayushchaya-kompaniya-sever.ru"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 1),
        ("я" * 70, 1),
        ("я" * 71, 2),
        ("я" * 134, 2),
        ("я" * 135, 3),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("[" * 80, 1),  # GSM extension signs take two characters each
        ("[" * 81, 2),
        ("я" * 69 + "😀", 2),  # outside the BMP: two UTF-16 units
    ],
)
def test_segments_follow_gsm7_and_ucs2_limits(text, expected):
    assert segments(text) == expected


def test_cyrillic_is_not_gsm7_but_plain_latin_is():
    assert not is_gsm7("Код 123456")
    assert is_gsm7("Code 123456 @ lk.example.ru/registration/code/")


@pytest.mark.django_db
def test_code_sms_stays_within_two_segments_with_a_long_site_url(
    settings, company, published_policies, ivanov_account
):
    settings.SITE_URL = LONG_SITE_URL

    submit_request()

    sms = OutboxMessage.objects.get(channel="sms")
    assert "lichnyj-kabinet.upravlyayushchaya-kompaniya-sever.ru/registration/code/" in sms.body
    assert segments(sms.body) <= 2
    assert "Не сообщайте никому" in sms.body  # the warning stays, in fewer words


@pytest.mark.django_db
def test_rejection_sms_is_never_cut_it_says_where_to_read_the_whole_reason(
    settings, company, published_policies, ivanov_account, operator
):
    settings.SITE_URL = LONG_SITE_URL
    request = submit_request(full_name="Иванова Мария Петровна")  # waits for an operator
    reason = "ФИО в заявке не совпадает с ФИО владельца лицевого счёта в данных начислений. " * 3

    reject_request(registration_request=request, staff=operator, reason=reason)

    request.refresh_from_db()
    sms = OutboxMessage.objects.get(channel="sms")
    page = f"lichnyj-kabinet.upravlyayushchaya-kompaniya-sever.ru/registration/{request.status_token}/"
    assert sms.body == f"Заявка на регистрацию отклонена. Причина — в письме и на {page}"
    assert "…" not in sms.body
    assert segments(sms.body) <= 2


@pytest.mark.django_db
def test_password_reset_sms_stays_within_two_segments_with_a_long_site_url(
    settings, company, published_policies, ivanov_account
):
    settings.SITE_URL = LONG_SITE_URL
    request = submit_request()
    code = re.search(r"\d{6}", OutboxMessage.objects.get(channel="sms").body)[0]
    confirm_registration(registration_request=request, code=code, ip="203.0.113.7")

    access.request_password_reset(login="1000123456", ip="203.0.113.7")

    sms = OutboxMessage.objects.filter(channel="sms", body__contains="парол").get()
    assert "/password/code/" in sms.body
    assert segments(sms.body) <= 2
    assert "никому не сообщайте код" in sms.body
