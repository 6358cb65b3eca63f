"""A session left unused ends by itself; «Выйти на всех устройствах» ends every one at once."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from kabinet.audit.models import AuditEntry
from kabinet.core.middleware import SESSION_SEEN
from kabinet.testing import sign_in_staff

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
CABINET = reverse("residents:cabinet")


def signed_in(login: str = "1000123456") -> Client:
    client = Client()
    assert (
        client.post(reverse("residents:login"), {"username": login, "password": PASSWORD}).status_code == 302
    )
    return client


def last_seen(client: Client, minutes_ago: int) -> None:
    session = client.session
    session[SESSION_SEEN] = int(time.time()) - minutes_ago * 60
    session.save()


def test_a_cabinet_unused_for_more_than_30_minutes_signs_out_with_a_word_why(company, registered_ivanov):
    client = signed_in()
    last_seen(client, 31)

    response = client.get(CABINET, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("residents:login"))
    assert "Вы долго не пользовались личным кабинетом" in response.content.decode()
    assert client.get(CABINET).status_code == 302


def test_a_cabinet_in_use_stays_signed_in_and_its_clock_restarts(company, registered_ivanov):
    client = signed_in()
    last_seen(client, 29)

    assert client.get(CABINET).status_code == 200
    assert time.time() - client.session[SESSION_SEEN] < 5
    assert client.get(CABINET).status_code == 200


def test_the_idle_time_is_a_setting(settings, company, registered_ivanov):
    settings.RESIDENT_IDLE_MINUTES = 5
    client = signed_in()
    last_seen(client, 6)

    assert client.get(CABINET).status_code == 302


def test_staff_have_their_own_idle_time(settings, client, operator):
    settings.STAFF_IDLE_MINUTES = 60
    client.post(reverse("admin:login"), {"username": "operator", "password": "operator-pass-2026"})
    sign_in_staff(client, operator)
    last_seen(client, 45)
    assert client.get(reverse("admin:index")).status_code == 200

    last_seen(client, 61)
    assert client.get(reverse("admin:index")).status_code == 302


def test_signing_out_everywhere_ends_every_session_of_the_cabinet(company, registered_ivanov):
    phone, library, home = signed_in(), signed_in("1000 123 456"), signed_in()

    response = home.post(reverse("residents:profile_sessions"), follow=True)

    assert "Вы вышли из личного кабинета на всех устройствах" in response.content.decode()
    for device in (phone, library, home):
        assert device.get(CABINET).status_code == 302
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SESSIONS_ENDED).count() == 1
    assert signed_in().get(CABINET).status_code == 200  # the password still opens the cabinet
