"""What an app does, start to end: sign in, read the dashboard, send several meters' readings in
one request (one refused, with its reason), download a receipt, sign out."""

from kabinet.api.models import ApiToken
from kabinet.billing.tests.history import PASSWORD
from kabinet.meters.models import Reading


def test_an_app_signs_in_reads_sends_readings_downloads_a_receipt_and_revokes_its_token(api, ivanov):
    answer = api.post(
        "/api/v1/auth/password/",
        {"login": "1000123456", "password": PASSWORD, "device_name": "iPhone Ивана"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    token = answer.json()["token"]
    assert token.startswith("kab1_") and answer.json()["device_name"] == "iPhone Ивана"
    assert not ApiToken.objects.filter(key_hash=token).exists()  # only the keyed hash is stored
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    dashboard = api.get("/api/v1/dashboard/")
    assert dashboard.status_code == 200
    assert dashboard["Cache-Control"] == "private, no-store"
    card = dashboard.json()["accounts"][0]
    assert card["number"] == "1000123456"
    assert card["amount_due"] == "14110.78" and card["due_date"] == "2026-11-15"
    assert card["readings_window"]["is_open"] is True
    assert {r["name"] for r in card["last_readings"]} >= {"Холодная вода, прибор № ХВ-2231847"}

    meters = ivanov.meters
    sent = api.post(
        "/api/v1/readings/",
        {
            "readings": [
                {"meter_id": meters["cold"].pk, "values": ["120,5"]},
                {"meter_id": meters["hot"].pk, "values": ["50"]},  # below the initial 100: refused
                {"meter_id": meters["power"].pk, "values": ["1100", "540"]},
            ]
        },
        format="json",
    )
    assert sent.status_code == 200, sent.content
    results = {r["meter_id"]: r for r in sent.json()["results"]}
    assert sent.json()["accepted"] == 2 and sent.json()["refused"] == 1
    assert results[meters["cold"].pk]["accepted"] and results[meters["cold"].pk]["value"] == ["120.500"]
    assert results[meters["power"].pk]["value"] == ["1100.000", "540.000"]
    refused = results[meters["hot"].pk]
    assert refused["accepted"] is False and refused["code"] == "lower_than_previous"
    assert refused["message"].startswith("Показание меньше предыдущего (100,000).")
    assert refused["window"]["is_open"] is True
    stored = Reading.objects.get(meter=meters["cold"], period=sent.json()["results"][0]["period"])
    assert stored.source == Reading.Source.APP and stored.value == stored.value.__class__("120.500")

    receipts = api.get("/api/v1/accounts/1000123456/receipts/").json()
    pdf = api.get(receipts[0]["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    assert api.delete("/api/v1/auth/token/").status_code == 204
    again = api.get("/api/v1/dashboard/")
    assert again.status_code == 401
    assert again.json()["code"] == "token_invalid"
    assert "Войдите в приложение снова" in again.json()["message"]
