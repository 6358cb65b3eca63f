"""A request under /api/ that fails outside the API's views — refused by Django before any view,
by the CSRF check, or by an error nobody handled — is answered in the API's JSON (docs/api.md,
«Ошибки») with the right status; the same failures elsewhere keep the site's pages."""

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kabinet.api.tests.urls_failing")]


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert (data["code"], data["fields"]) == (code, {})
    assert data["message"]
    return data


def test_a_request_for_another_host_is_a_json_400(client):
    response = client.get("/api/v1/dashboard/", HTTP_HOST="not-our-site.example")

    data = api_error(response, 400, "bad_request")
    assert "Запрос не принят" in data["message"]
    assert "<html" not in response.text


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_a_form_of_too_many_fields_is_a_json_400(client):
    response = client.post("/api/v1/failing/form/", {f"field{n}": "x" for n in range(10)})

    api_error(response, 400, "bad_request")


def test_a_csrf_failure_is_a_json_403():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/failing/form/", {"value": "1"})

    data = api_error(response, 403, "csrf_failed")
    assert "Authorization: Bearer" in data["message"]


def test_a_permission_denied_is_a_json_403(client):
    api_error(client.get("/api/v1/failing/refused/"), 403, "permission_denied")


def test_a_not_found_raised_outside_the_api_s_views_is_a_json_404(client):
    data = api_error(client.get("/api/v1/failing/missing/"), 404, "not_found")
    assert data == api_error(client.get("/api/v1/no-such-endpoint/"), 404, "not_found")


def test_an_error_nobody_handled_is_a_json_500_with_the_number_to_quote():
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/failing/broken/")

    data = api_error(response, 500, "server_error")
    assert response["X-Request-ID"] in data["message"]
    assert "ZeroDivisionError" not in response.text


def test_a_database_gone_away_is_a_json_503_to_retry():
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/failing/database-gone/")

    data = api_error(response, 503, "unavailable")
    assert response["Retry-After"] == "60"
    assert "временно недоступен" in data["message"]


def test_the_same_failures_elsewhere_keep_the_site_s_pages():
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)

    pages = {
        400: client.get("/", HTTP_HOST="not-our-site.example"),
        403: client.get("/failing/refused/"),
        404: client.get("/failing/missing/"),
        500: client.get("/failing/broken/"),
        503: client.get("/failing/database-gone/"),
    }
    stale = client.post("/failing/form/", {"value": "1"})

    for status, response in pages.items():
        assert response.status_code == status
        assert response["Content-Type"].startswith("text/html")
    assert "Запрос не принят" in pages[400].text
    assert "Страница не найдена" in pages[404].text
    assert "временно недоступен" in pages[503].text
    assert (stale.status_code, stale["Content-Type"].split(";")[0]) == (403, "text/html")
    assert "Форма устарела" in stale.text
