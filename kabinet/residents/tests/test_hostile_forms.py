"""Arbitrary input to every registration form: never a server error, nothing saved when invalid."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kabinet.billing.tests.factories import AccountFactory
from kabinet.core.models import Company
from kabinet.residents.models import ConfirmationCode, RegistrationRequest
from kabinet.testing import IVANOV, captcha_fields

# Near-valid values as well as junk: NUL and control characters, very long text, markup.
junk = st.one_of(
    st.text(max_size=60),
    st.text(min_size=1000, max_size=12000),
    st.sampled_from(
        ["<script>alert(1)</script>", "' OR 1=1 --", "\x00", "1000123456\x00", "８９１２３４５６７８９"]
    ),
)


def field(valid: str):
    return st.one_of(st.just(valid), junk)


form_data = st.fixed_dictionaries({name: field(value) for name, value in IVANOV.items()})
hostile = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class RegistrationFormUnderFire(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        Company.load()
        AccountFactory(number="1000123456", holder_name="Иванов Иван Иванович", phone="+79123456789")

    @hostile
    @given(data=form_data, solved=st.booleans(), drop=st.sets(st.sampled_from(list(IVANOV))))
    def test_registration_never_fails_and_saves_only_valid_requests(self, data, solved, drop):
        post = {k: v for k, v in data.items() if k not in drop}
        post.update(captcha_fields() if solved else {"captcha_0": "nokey", "captcha_1": "12345"})
        before = RegistrationRequest.objects.count()

        response = self.client.post("/registration/", post)

        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert RegistrationRequest.objects.count() == before
        else:
            saved = RegistrationRequest.objects.latest("pk")
            assert re.fullmatch(r"\+79\d{9}", saved.phone)
            assert saved.account_number == "1000123456"
            assert "\x00" not in saved.full_name + saved.email

    @hostile
    @given(account_number=field("1000123456"), code=junk)
    def test_code_page_never_fails(self, account_number, code):
        response = self.client.post("/registration/code/", {"account_number": account_number, "code": code})

        assert response.status_code == 200
        assert not ConfirmationCode.objects.filter(used_at__isnull=False).exists()

    @hostile
    @given(account_number=field("1000123456"))
    def test_new_code_request_never_fails(self, account_number):
        response = self.client.post("/registration/code/new/", {"account_number": account_number})

        assert response.status_code in (200, 302)

    @hostile
    @given(username=field("1000123456"), password=junk)
    def test_login_never_fails(self, username, password):
        response = self.client.post("/login/", {"username": username, "password": password})

        assert response.status_code == 200
        assert "_auth_user_id" not in self.client.session
