"""A token sees its own household only: another household's numbers and ids are not found, and
personal answers are never kept by a shared cache; CORS is closed unless a setting opens it."""

import pytest
from django.test import override_settings

from kabinet.api import services
from kabinet.appeals.models import Appeal, AppealCategory
from kabinet.meters.models import Reading


@pytest.fixture
def neighbours_appeal(neighbour):
    category = AppealCategory.objects.create(name="Прочее")
    return Appeal.objects.create(
        account=neighbour.accounts.first(), resident=neighbour, category=category, text="Течёт кран"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/accounts/1000999001/charges/",
        "/api/v1/accounts/1000999001/charges/2025-12/",
        "/api/v1/accounts/1000999001/receipts/",
        "/api/v1/accounts/1000999001/receipts/2025-12.pdf",
        "/api/v1/accounts/1000999001/payments/",
        "/api/v1/meters/?account=1000999001",
        "/api/v1/appeals/?account=1000999001",
    ],
)
def test_another_households_account_number_is_not_found(signed, neighbour, path):
    answer = signed.get(path)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_the_same_addresses_with_the_own_number_answer(signed):
    for path in ("/api/v1/accounts/1000123456/charges/", "/api/v1/accounts/1000123456/charges/2026-10/"):
        assert signed.get(path).status_code == 200


def test_another_households_meter_and_appeal_ids_are_not_found(signed, neighbour, neighbours_appeal):
    assert signed.get(f"/api/v1/meters/{neighbour.meter.pk}/").status_code == 404
    assert signed.get(f"/api/v1/appeals/{neighbours_appeal.pk}/").status_code == 404
    sent = signed.post(
        f"/api/v1/appeals/{neighbours_appeal.pk}/messages/", {"text": "Это мой кран"}, format="json"
    )
    assert sent.status_code == 404
    assert neighbours_appeal.replies.count() == 0


def test_a_reading_for_another_households_meter_is_refused_and_nothing_is_stored(signed, neighbour):
    answer = signed.post(
        "/api/v1/readings/",
        {"readings": [{"meter_id": neighbour.meter.pk, "values": ["150"]}]},
        format="json",
    )
    result = answer.json()["results"][0]
    assert result["accepted"] is False and result["code"] == "meter_not_found"
    assert result["message"] == "Прибор учёта не найден среди приборов вашего кабинета."
    assert not Reading.objects.filter(meter=neighbour.meter).exists()


def test_another_households_token_cannot_be_revoked(signed, neighbour):
    theirs, _ = services.issue_token(resident=neighbour, device_name="Их телефон", how="password", ip=None)
    assert signed.delete(f"/api/v1/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_personal_answers_are_private_and_not_stored(signed):
    for path in ("/api/v1/dashboard/", "/api/v1/meters/", "/api/v1/accounts/1000123456/receipts/2026-10.pdf"):
        answer = signed.get(path)
        assert answer["Cache-Control"] == "private, no-store", path
        assert "Authorization" in answer["Vary"]


def test_cors_is_closed_by_default(signed):
    answer = signed.get("/api/v1/dashboard/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in answer
    preflight = signed.options(
        "/api/v1/dashboard/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in preflight


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.uk-dom.ru"])
def test_cors_opens_for_the_origins_a_setting_names(signed):
    answer = signed.get("/api/v1/dashboard/", HTTP_ORIGIN="https://app.uk-dom.ru")
    assert answer["Access-Control-Allow-Origin"] == "https://app.uk-dom.ru"
    other = signed.get("/api/v1/dashboard/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_an_unknown_address_under_the_api_answers_json(signed):
    answer = signed.post("/api/v1/nothing-here/", {}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
