"""«Приложения и устройства» in the profile: each app's token with its last use, revoked there."""

from django.urls import reverse

from kabinet.api import services
from kabinet.api.models import ApiToken
from kabinet.billing.tests.history import PASSWORD


def test_the_profile_lists_the_apps_with_their_last_use_and_revokes_one(client, signed, ivanov, token):
    signed.get("/api/v1/dashboard/")  # the app was used
    assert client.login(username="1000123456", password=PASSWORD)
    html = client.get(reverse("residents:profile")).content.decode()
    assert "Приложения и устройства" in html
    assert "<strong>Тест</strong>" in html and "по паролю" in html
    assert "Последнее использование: ещё не было" not in html

    stored = ApiToken.objects.get()
    answer = client.post(reverse("apps:revoke", args=[stored.pk]), follow=True)
    assert "Ключ устройства «Тест» отозван" in answer.content.decode()
    assert signed.get("/api/v1/dashboard/").status_code == 401


def test_another_households_token_is_not_revoked_from_this_profile(client, ivanov, neighbour):
    theirs, _ = services.issue_token(resident=neighbour, device_name="Их", how="sms", ip=None)
    assert client.login(username="1000123456", password=PASSWORD)
    assert client.post(reverse("apps:revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_signing_out_everywhere_ends_the_apps_too(client, signed, ivanov):
    assert client.login(username="1000123456", password=PASSWORD)
    client.post(reverse("residents:profile_sessions"))
    assert signed.get("/api/v1/dashboard/").status_code == 401
