"""Signing an app in: by password (or the phone as login), by an SMS code; the web forms' limits
and lock-outs; the token stored only as a keyed hash; ending it."""

import hashlib
import hmac

import pytest
from django.conf import settings
from django.test import override_settings

from kabinet.api import services, tokens
from kabinet.api.models import ApiToken
from kabinet.audit.models import AuditEntry
from kabinet.billing.tests.history import PASSWORD
from kabinet.residents.tests.conftest import sms_code

SIGNIN = "/api/v1/auth/password/"


def sign_in(api, login="1000123456", password=PASSWORD, device="Пиксель"):
    return api.post(SIGNIN, {"login": login, "password": password, "device_name": device}, format="json")


def code_signin(api, login, code, device):
    body = {"login": login, "code": code, "device_name": device}
    return api.post("/api/v1/auth/sms/token/", body, format="json")


def test_the_phone_signs_in_too_and_the_token_is_kept_only_as_a_keyed_hash(api, ivanov):
    answer = sign_in(api, login="8 (912) 345-67-89")
    assert answer.status_code == 201
    raw = answer.json()["token"]
    stored = ApiToken.objects.get(pk=answer.json()["id"])
    assert stored.key_hash == tokens.token_hash(raw) and raw not in stored.key_hash
    assert stored.resident == ivanov and stored.name == "Пиксель" and stored.how == "password"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.APP_SIGNED_IN, actor=ivanov.user).exists()


@override_settings(API_TOKEN_KEY="another-key-of-the-company-0123456789")
def test_the_hash_is_keyed_with_the_setting():
    expected = hmac.new(b"another-key-of-the-company-0123456789", b"kab1_x", hashlib.sha256).hexdigest()
    assert tokens.token_hash("kab1_x") == expected


def test_a_wrong_password_is_refused_in_russian_beside_no_field(api, ivanov):
    answer = sign_in(api, password="не тот пароль")
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid_login",
        "message": "Неверный логин или пароль. Проверьте номер лицевого счёта (или телефон) и пароль.",
        "fields": {},
    }


def test_missing_fields_are_named_each_with_a_code_and_a_russian_message(api, db):
    answer = api.post(SIGNIN, {"login": "1000123456"}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["fields"]["password"] == [
        {"code": "required", "message": "Это поле обязательно для заполнения."}
    ]
    assert set(body["fields"]) == {"password", "device_name"}


def test_five_wrong_passwords_lock_the_login_as_the_web_form_does(api, client, ivanov):
    for _ in range(5):
        assert sign_in(api, password="wrong-password-1").status_code == 400
    locked = sign_in(api)  # even the right password now
    assert locked.status_code == 429 and locked.json()["code"] == "locked"
    assert locked.json()["message"].startswith("Слишком много неудачных попыток входа с этим логином.")
    # The web form shares the count: the cabinet is closed there too.
    page = client.post("/login/", {"username": "1000123456", "password": PASSWORD})
    assert "Слишком много неудачных попыток входа" in page.content.decode()


def test_staff_cannot_sign_an_app_in(api, operator):
    answer = sign_in(api, login="operator", password="operator-pass-2026")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_login"


def test_an_sms_code_signs_the_app_in(api, ivanov):
    sent = api.post("/api/v1/auth/sms/", {"login": "1000123456"}, format="json")
    assert sent.status_code == 202
    code = sms_code("+79123456789", "Код для входа в приложение личного кабинета:")
    answer = code_signin(api, "1000123456", code, "Дача")
    assert answer.status_code == 201 and answer.json()["how"] == "sms"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['token']}")
    assert api.get("/api/v1/dashboard/").status_code == 200
    # Single use.
    again = code_signin(api, "1000123456", code, "Дача")
    assert again.status_code == 400 and again.json()["fields"]["code"][0]["code"] == "code_wrong"


def test_an_unknown_login_is_answered_as_a_real_one(api, ivanov):
    real = api.post("/api/v1/auth/sms/", {"login": "1000123456"}, format="json")
    made_up = api.post("/api/v1/auth/sms/", {"login": "1000000000"}, format="json")
    assert real.status_code == made_up.status_code == 202 and real.json() == made_up.json()
    wrong = api.post(
        "/api/v1/auth/sms/token/",
        {"login": "1000000000", "code": "123456", "device_name": "x"},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["fields"]["code"][0]["code"] == "code_wrong"
    assert "Осталось попыток: 4." in wrong.json()["message"]


def test_a_code_allows_five_attempts(api, ivanov):
    api.post("/api/v1/auth/sms/", {"login": "1000123456"}, format="json")
    for _ in range(5):
        api.post(
            "/api/v1/auth/sms/token/",
            {"login": "1000123456", "code": "000000", "device_name": "x"},
            format="json",
        )
    code = sms_code("+79123456789", "Код для входа в приложение личного кабинета:")
    last = code_signin(api, "1000123456", code, "x")
    assert last.status_code == 400 and last.json()["code"] == "code_exhausted"


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "sms_account": (2, 3600)})
def test_sms_codes_are_limited_per_login_as_the_web_forms_are(api, ivanov):
    for _ in range(2):
        assert api.post("/api/v1/auth/sms/", {"login": "1000123456"}, format="json").status_code == 202
    refused = api.post("/api/v1/auth/sms/", {"login": "1000123456"}, format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert refused.json()["message"].startswith("По этому лицевому счёту слишком часто запрашивали SMS.")


def test_a_new_password_or_signing_out_everywhere_ends_the_token(signed, ivanov):
    assert signed.get("/api/v1/dashboard/").status_code == 200
    ivanov.user.set_password("Another-Password-2027")
    ivanov.user.save()
    assert signed.get("/api/v1/dashboard/").status_code == 401


def test_a_request_without_a_token_is_told_how_to_get_one(api, db):
    answer = api.get("/api/v1/dashboard/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"
    assert answer["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Bearer kab1_nonsense", "Bearer a b"])
def test_a_bad_token_is_refused(api, db, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    answer = api.get("/api/v1/dashboard/")
    assert answer.status_code == 401 and answer.json()["code"] == "token_invalid"


def test_tokens_are_listed_and_one_is_revoked_by_its_id(signed, ivanov, token):
    other, _ = services.issue_token(resident=ivanov, device_name="Home Assistant", how="password", ip=None)
    listed = signed.get("/api/v1/tokens/").json()
    assert {t["device_name"] for t in listed} == {"Тест", "Home Assistant"}
    assert signed.delete(f"/api/v1/tokens/{other.pk}/").status_code == 204
    assert [t["device_name"] for t in signed.get("/api/v1/tokens/").json()] == ["Тест"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.APP_REVOKED).count() == 1
