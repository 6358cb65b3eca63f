"""E-mail leaves through Django's SMTP backend, from the same outbox, to a real SMTP server."""

import email.policy
import re
from email import message_from_bytes

import pytest

from kabinet.messaging import services
from kabinet.messaging.models import OutboxMessage
from kabinet.residents.selectors import find_resident
from kabinet.residents.services import access
from kabinet.residents.services.registration import confirm_registration, reject_request
from kabinet.testing import submit_request

from .peers import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(smtp_server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.DEFAULT_FROM_EMAIL = "kabinet@uk-sever.ru"
    return smtp_server


def received(smtp_server) -> dict[str, email.message.EmailMessage]:
    """What the SMTP server got, by subject, parsed as a mail program would."""
    parsed = [message_from_bytes(raw, policy=email.policy.default) for raw in smtp_server.messages]
    # Python folds a long encoded subject after «Subject:», so it parses with a leading space
    # that mail programs drop.
    return {m["Subject"].strip(): m for m in parsed}


def test_request_received_approved_and_rejected_letters_arrive_by_smtp(
    smtp, company, published_policies, ivanov_account, neighbour_account, operator
):
    submit_request()  # matches the billing data: approved at once
    waiting = submit_request(
        full_name="Петров Пётр Петрович", account_number="1000123457", email="petrov@yandex.ru"
    )
    reject_request(registration_request=waiting, staff=operator, reason="ФИО не совпадает с данными счёта")

    round_ = services.deliver_due()

    emails = OutboxMessage.objects.filter(channel="email")
    assert round_.sent == emails.count() + OutboxMessage.objects.filter(channel="sms").count()
    assert set(emails.values_list("status", flat=True)) == {"sent"}
    letters = wait_for(lambda: len(smtp.messages) == 3 and received(smtp), what="three letters")
    by_recipient = {(m["To"], subject) for subject, m in letters.items()}
    assert {to for to, _ in by_recipient} == {"ivanov@mail.ru", "petrov@yandex.ru"}
    for outbox in emails:
        letter = letters[outbox.subject]
        assert letter["To"] == outbox.recipient
        assert letter["From"] == "kabinet@uk-sever.ru"
        text = letter.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP's line ends
        assert text.strip() == outbox.body.strip()
        assert "<p>" in letter.get_body(("html",)).get_content()
    rejected = next(m for m in letters.values() if m["To"] == "petrov@yandex.ru" and "отклон" in m["Subject"])
    assert "ФИО не совпадает с данными счёта" in rejected.get_body(("plain",)).get_content()


def test_smtp_server_down_delays_the_letter_and_it_goes_when_it_is_back(smtp, settings):
    settings.EMAIL_TIMEOUT = 2
    smtp.stop()
    letter = services.send_email(
        to="ivanov@mail.ru",
        template="registration-received",
        context={"request": {"full_name": "Иванов Иван Иванович", "account_number": "1000123456"}},
    )

    assert services.deliver_due().retried == 1
    letter.refresh_from_db()
    assert letter.status == "queued"
    assert "ConnectionRefusedError" in letter.last_error

    smtp.start()
    OutboxMessage.objects.update(next_attempt_at=letter.created_at)
    assert services.deliver_due().sent == 1
    assert [m["To"] for m in received(smtp).values()] == ["ivanov@mail.ru"]


def test_password_changed_letter_arrives_by_smtp(smtp, company, published_policies, ivanov_account):
    request = submit_request()
    code = re.search(r"\d{6}", OutboxMessage.objects.get(channel="sms").body)[0]
    confirm_registration(registration_request=request, code=code, ip="203.0.113.7")
    resident = find_resident("1000123456")

    access.change_password(resident=resident, password="Lighthouse-Volga-2026", ip="203.0.113.7")
    services.deliver_due()

    letters = wait_for(lambda: received(smtp), what="letters at the SMTP server")
    letter = letters["Пароль от личного кабинета изменён"]
    assert letter["To"] == "ivanov@mail.ru"
    assert "изменён в профиле" in letter.get_body(("plain",)).get_content()
