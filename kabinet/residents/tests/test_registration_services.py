from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from kabinet.messaging.models import OutboxMessage
from kabinet.residents.models import ConfirmationCode, Consent, PolicyDocument, RegistrationRequest
from kabinet.residents.services import registration
from kabinet.testing import last_sms_code
from kabinet.testing import submit_request as submit

pytestmark = pytest.mark.django_db


def sms_to(phone: str = "+79123456789") -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel="sms", recipient=phone).order_by("created_at", "id"))


def emails_to(address: str = "ivanov@mail.ru") -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel="email", recipient=address).order_by("created_at", "id"))


class TestSubmission:
    def test_request_matching_the_billing_data_is_approved_at_once_and_code_sent(
        self, company, ivanov_account
    ):
        request = submit(full_name="  иванов   иван иванович ")

        assert request.status == RegistrationRequest.Status.APPROVED
        assert request.approved_automatically
        [sms] = sms_to()
        assert "Код подтверждения регистрации" in sms.body
        assert "/registration/code/" in sms.body
        assert sms.is_sensitive
        assert "одобрена" in emails_to()[0].subject

    def test_yo_and_hyphens_do_not_matter_in_the_name(self, company, ivanov_account):
        ivanov_account.holder_name = "Салтыков-Щедрин Пётр Ёлкин"
        ivanov_account.save()

        request = submit(full_name="САЛТЫКОВ ЩЕДРИН ПЕТР ЕЛКИН")

        assert request.name_matches
        assert request.status == RegistrationRequest.Status.APPROVED

    def test_different_name_waits_for_an_operator(self, company, ivanov_account):
        request = submit(full_name="Иванова Мария Петровна")

        assert request.status == RegistrationRequest.Status.PENDING
        assert request.account == ivanov_account
        assert not request.name_matches
        assert sms_to() == []
        assert "получена" in emails_to()[0].subject

    def test_phone_other_than_in_the_billing_data_waits_for_an_operator(self, company, ivanov_account):
        request = submit(phone="+79990001122")

        assert request.status == RegistrationRequest.Status.PENDING
        assert request.phone_matches is False

    def test_account_without_phone_in_billing_data_is_approved_on_name(self, company, neighbour_account):
        request = submit(
            full_name="Петрова Анна Сергеевна", account_number="1000123457", phone="+79161234567"
        )

        assert request.phone_matches is None
        assert request.status == RegistrationRequest.Status.APPROVED

    def test_unknown_account_waits_for_an_operator(self, company, ivanov_account):
        request = submit(account_number="9999999999")

        assert request.account is None
        assert request.status == RegistrationRequest.Status.PENDING

    def test_company_can_turn_automatic_approval_off(self, company, ivanov_account):
        company.auto_approve_registrations = False
        company.save()

        request = submit()

        assert request.status == RegistrationRequest.Status.PENDING
        assert request.fully_matches
        assert sms_to() == []

    def test_second_open_request_for_an_account_is_refused_when_neither_matches(
        self, company, ivanov_account
    ):
        submit(full_name="Иванова Мария Петровна")

        with pytest.raises(registration.RegistrationError) as refused:
            submit(full_name="Петров Пётр Петрович")

        assert refused.value.field == "account_number"
        assert RegistrationRequest.objects.count() == 1

    def test_a_request_matching_in_full_goes_ahead_of_a_squatters_and_contests_it(
        self, company, ivanov_account
    ):
        squatter = submit(full_name="Иванова Мария Петровна", phone="+79990001122")

        holder = submit()

        squatter.refresh_from_db()
        assert holder.status == RegistrationRequest.Status.APPROVED
        assert squatter.status == RegistrationRequest.Status.CONTESTED
        assert squatter.contested_by == holder
        assert len(sms_to()) == 1 and sms_to("+79990001122") == []

    def test_a_matching_request_does_not_contest_another_matching_one(self, company, ivanov_account):
        company.auto_approve_registrations = False
        company.save()
        first = submit()

        with pytest.raises(registration.RegistrationError, match="уже подана"):
            submit(email="other@mail.ru")

        first.refresh_from_db()
        assert first.status == RegistrationRequest.Status.PENDING

    def test_consent_to_both_documents_is_recorded_with_ip_browser_and_version(self, company, ivanov_account):
        request = submit()

        consents = Consent.objects.filter(registration_request=request).select_related("document")
        assert {c.document.kind for c in consents} == {"privacy", "consent"}
        for consent in consents:
            assert consent.ip_address == "203.0.113.7"
            assert "Android" in consent.user_agent
            assert consent.document == PolicyDocument.current(consent.document.kind)
            assert consent.full_name == "Иванов Иван Иванович"

    def test_password_is_not_kept_in_clear(self, company, ivanov_account):
        request = submit()

        assert "Sunflower" not in request.password_hash
        assert request.password_hash.startswith("argon2")


class TestOperatorDecisions:
    def test_operator_approval_sends_the_code(self, company, ivanov_account, operator):
        request = submit(phone="+79990001122")

        registration.approve_request(registration_request=request, staff=operator)

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.APPROVED
        assert request.decided_by == operator
        assert not request.approved_automatically
        assert "Код подтверждения" in sms_to("+79990001122")[0].body

    def test_unknown_account_cannot_be_approved(self, company, operator):
        request = submit(account_number="9999999999")

        with pytest.raises(registration.RegistrationError, match="только отклонить"):
            registration.approve_request(registration_request=request, staff=operator)

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.PENDING

    def test_rejection_reason_reaches_the_applicant_by_sms_and_email(self, company, ivanov_account, operator):
        request = submit(full_name="Иванова Мария Петровна")

        registration.reject_request(
            registration_request=request, staff=operator, reason="ФИО не совпадает с владельцем счёта."
        )

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.REJECTED
        assert request.password_hash == ""
        # The SMS says where to read the reason; the letter and the page carry it whole.
        assert "Причина — в письме и на " in sms_to()[0].body
        assert f"/registration/{request.status_token}/" in sms_to()[0].body
        assert "ФИО не совпадает с владельцем счёта." in emails_to()[-1].body
        assert f"/registration/{request.status_token}/" in emails_to()[-1].body

    def test_rejection_needs_a_reason(self, company, ivanov_account, operator):
        request = submit(full_name="Иванова Мария Петровна")

        with pytest.raises(registration.RegistrationError, match="причину"):
            registration.reject_request(registration_request=request, staff=operator, reason="   ")

    def test_a_decided_request_is_not_decided_again(self, company, ivanov_account, operator):
        request = submit()

        with pytest.raises(registration.RegistrationError, match="уже обработана"):
            registration.approve_request(registration_request=request, staff=operator)

    def test_rejected_applicant_may_apply_again(self, company, ivanov_account, operator):
        request = submit(full_name="Иванова Мария Петровна")
        registration.reject_request(registration_request=request, staff=operator, reason="ФИО не совпадает.")

        again = submit()

        assert again.status == RegistrationRequest.Status.APPROVED


class TestConfirmationCode:
    def test_right_code_completes_registration_and_allows_login_by_account_number(
        self, company, ivanov_account
    ):
        request = submit()

        registration.confirm_registration(
            registration_request=request, code=last_sms_code(), ip="203.0.113.7"
        )

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.COMPLETED
        assert request.resident.full_name == "Иванов Иван Иванович"
        assert list(request.resident.accounts.all()) == [ivanov_account]
        user = authenticate(username=" 1000123456 ", password="Sunflower-Tver-1961")
        assert user == request.resident.user

    def test_code_typed_with_spaces_is_accepted(self, company, ivanov_account):
        request = submit()
        code = last_sms_code()

        registration.confirm_registration(
            registration_request=request, code=f"{code[:3]} {code[3:]}", ip="203.0.113.7"
        )

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.COMPLETED

    def test_code_is_six_digits_and_stored_only_as_a_hash(self, company, ivanov_account):
        submit()
        code = last_sms_code()

        stored = ConfirmationCode.objects.get()
        assert len(code) == 6 and code.isdigit()
        assert code not in stored.code_hash

    def test_wrong_code_says_how_many_attempts_are_left(self, company, ivanov_account):
        request = submit()

        with pytest.raises(registration.RegistrationError, match="Осталось попыток: 4"):
            registration.confirm_registration(
                registration_request=request, code=wrong(last_sms_code()), ip="203.0.113.7"
            )

        assert ConfirmationCode.objects.get().attempts == 1

    def test_code_is_refused_after_five_wrong_attempts(self, company, ivanov_account):
        request = submit()
        code = last_sms_code()
        for _ in range(5):
            with pytest.raises(registration.RegistrationError):
                registration.confirm_registration(
                    registration_request=request, code=wrong(code), ip="203.0.113.7"
                )

        with pytest.raises(registration.RegistrationError, match="слишком много раз"):
            registration.confirm_registration(registration_request=request, code=code, ip="203.0.113.7")

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.APPROVED

    def test_code_expires_after_72_hours(self, company, ivanov_account):
        request = submit()
        ConfirmationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        with pytest.raises(registration.RegistrationError, match="истёк"):
            registration.confirm_registration(
                registration_request=request, code=last_sms_code(), ip="203.0.113.7"
            )

    def test_code_lives_72_hours(self, company, ivanov_account):
        submit()

        code = ConfirmationCode.objects.get()
        assert code.expires_at - code.created_at == timedelta(hours=72)

    def test_code_works_only_once(self, company, ivanov_account):
        request = submit()
        code = last_sms_code()
        registration.confirm_registration(registration_request=request, code=code, ip="203.0.113.7")

        with pytest.raises(registration.RegistrationError, match="не ждёт кода"):
            registration.confirm_registration(registration_request=request, code=code, ip="203.0.113.7")

    def test_new_code_only_after_the_cooldown(self, company, ivanov_account):
        request = submit()

        with pytest.raises(registration.CodeCooldown) as early:
            registration.request_new_code(registration_request=request, ip="203.0.113.7")
        assert 0 < early.value.seconds <= 60

        ConfirmationCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
        registration.request_new_code(registration_request=request, ip="203.0.113.7")

        assert len(sms_to()) == 2
        assert ConfirmationCode.objects.filter(revoked_at=None).count() == 1

    def test_old_code_stops_working_when_a_new_one_is_sent(self, company, ivanov_account):
        request = submit()
        old = last_sms_code()
        ConfirmationCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
        registration.request_new_code(registration_request=request, ip="203.0.113.7")
        new = last_sms_code()

        if old != new:  # one chance in a million that both are equal
            with pytest.raises(registration.RegistrationError):
                registration.confirm_registration(registration_request=request, code=old, ip="203.0.113.7")
        registration.confirm_registration(registration_request=request, code=new, ip="203.0.113.7")

        request.refresh_from_db()
        assert request.status == RegistrationRequest.Status.COMPLETED


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_every_code_sms_warns_to_tell_the_code_to_nobody_and_fits_two_sms(
    company, registered_ivanov, neighbour_account, settings
):
    """Issue 15 (9): the codes for registration, a password reset and a phone change."""
    from kabinet.messaging.sms import MAX_SEGMENTS, segments
    from kabinet.residents.services import access

    settings.SITE_URL = "https://lk.uyutny-dom-tver.ru"
    access.request_password_reset(login="1000123456", ip="10.0.0.1")
    access.request_phone_change(resident=registered_ivanov, phone="+79001112233", ip="10.0.0.1")
    request = submit(account_number="1000123457", phone="+79005556677", full_name="Петрова Анна Сергеевна")
    if request.status == RegistrationRequest.Status.PENDING:
        registration.approve_request(registration_request=request, staff=None)

    texts = [m.body for m in OutboxMessage.objects.filter(channel="sms", body__startswith="Код")]
    assert {t.split(":")[0] for t in texts} == {
        "Код для восстановления пароля",
        "Код для смены телефона в личном кабинете",
        "Код подтверждения регистрации",
    }
    for text in texts:
        assert "никому не сообщайте код" in text.lower()
        assert segments(text) <= MAX_SEGMENTS, text
