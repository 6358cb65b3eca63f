"""Residents' personas for the access tests (reset, profile, limits, hostile input)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from kabinet.core.models import User
from kabinet.residents.models import Resident, ResidentAccount

PASSWORD = "Sunflower-Tver-1961"


@pytest.fixture
def registered_ivanov(ivanov_account) -> Resident:
    """Ivanov after registration: signs in with 1000123456, phone +79123456789, e-mail on file."""
    user = User.objects.create_user("1000123456", password=PASSWORD, email="ivanov@mail.ru")
    resident = Resident.objects.create(user=user, full_name="Иванов Иван Иванович", phone="+79123456789")
    ResidentAccount.objects.create(resident=resident, account=ivanov_account)
    return resident


def sms_code(phone: str, words: str) -> str:
    """The code from the newest SMS to `phone` whose text has `words`, read from `sms_log`."""
    out = StringIO()
    call_command("sms_log", phone=phone, stdout=out)
    match = re.search(re.escape(words) + r"\D*(\d{6})", out.getvalue())
    assert match, f"no such SMS in the log:\n{out.getvalue()}"
    return match.group(1)
