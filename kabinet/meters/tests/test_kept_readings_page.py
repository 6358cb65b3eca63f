"""The readings page kept in a shared cache (kabinet.core.keptpages) shows a reading as soon as
it is sent, and a submission's summary once, as a page made anew would."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from kabinet.meters.models import ReadingSchedule
from kabinet.meters.views import SESSION_SUMMARY

pytestmark = pytest.mark.django_db
URL = reverse("meters:readings")
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def shared_cache():
    with override_settings(CACHES=LOCAL_CACHE):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def signed_in(client, company, ivanov, window_open):
    ReadingSchedule.load()
    client.force_login(ivanov.user)
    return client


def shown(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().replace("\u00a0", " ").split())


def test_a_reading_sent_shows_on_the_kept_page_and_the_summary_once(signed_in, cold_water):
    signed_in.get(URL, {"account": cold_water.account.number})  # as after a submission
    signed_in.get(URL)
    assert 'value="104,250"' not in shown(signed_in.get(URL))  # kept

    after = shown(signed_in.post(URL, {f"m{cold_water.pk}-value_1": "104,25"}, follow=True))
    assert "readings-summary__ok" in after and 'value="104,250"' in after

    for _ in range(2):  # made again, then kept
        page = shown(signed_in.get(URL))
        assert 'value="104,250"' in page and "readings-summary__ok" not in page


def test_a_summary_waiting_in_the_session_shows_over_a_kept_page(signed_in, cold_water):
    signed_in.get(URL)
    signed_in.get(URL)  # kept
    session = signed_in.session
    line = {"meter_id": cold_water.pk, "name": "Холодная вода", "accepted": True, "value": "104 м³"}
    session[SESSION_SUMMARY] = [{**line, "refusal": ""}]
    session.save()

    assert "readings-summary__ok" in shown(signed_in.get(URL))
    assert "readings-summary__ok" not in shown(signed_in.get(URL))
