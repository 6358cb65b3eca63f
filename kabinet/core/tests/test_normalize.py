import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabinet.core import normalize


@pytest.mark.parametrize(
    ("typed", "billing"),
    [
        ("иванов иван иванович", "Иванов Иван Иванович"),
        ("  Иванов   Иван  Иванович ", "Иванов Иван Иванович"),
        ("Семёнов Пётр Ильич", "Семенов Петр Ильич"),
        ("Салтыков Щедрин Михаил", "Салтыков-Щедрин Михаил"),
        ("Салтыков–Щедрин Михаил", "Салтыков-Щедрин Михаил"),
    ],
)
def test_names_match_regardless_of_case_yo_spaces_and_hyphens(typed, billing):
    assert normalize.names_match(typed, billing)


@pytest.mark.parametrize(("typed", "billing"), [("Иванов Иван", "Иванов Иван Иванович"), ("", "")])
def test_different_or_empty_names_do_not_match(typed, billing):
    assert not normalize.names_match(typed, billing)


@pytest.mark.parametrize(
    "typed", ["8-912-345-67-89", "+7 (912) 345-67-89", "89123456789", "9123456789", "+79123456789"]
)
def test_phone_is_stored_in_e164_whatever_way_it_is_written(typed):
    assert normalize.phone_e164(typed) == "+79123456789"


@pytest.mark.parametrize("typed", ["", "12345", "8-123-456-7896", "+7 (495) 123-45-67", "телефон"])
def test_non_mobile_or_invalid_phone_is_refused(typed):
    with pytest.raises(normalize.InvalidPhone):
        normalize.phone_e164(typed)


def test_landline_is_accepted_where_any_phone_will_do():
    assert normalize.phone_e164("8 (495) 123-45-67", mobile_only=False) == "+74951234567"


def test_masked_phone_shows_only_the_edges():
    assert normalize.phone_masked("+79123456789") == "+7 912 ***-**-89"


def test_account_number_loses_spaces_and_is_checked():
    assert normalize.account_number(" 1000 123 456 ") == "1000123456"
    assert normalize.is_valid_account_number("1000123456")
    assert not normalize.is_valid_account_number("1000;DROP")


@given(st.text())
def test_normalisers_never_crash(value):
    normalize.name_key(value)
    normalize.account_number(value)
    with contextlib.suppress(normalize.InvalidPhone):
        normalize.phone_e164(value)


def test_account_number_with_a_trailing_newline_is_not_valid():
    assert not normalize.is_valid_account_number("1000123456\n")
