from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabinet.billing.imports.fields import FieldError
from kabinet.meters.models import building_address
from kabinet.meters.parsing import parse_reading


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from([",", "."]))
def test_any_reading_the_meter_can_show_is_read_back_exactly(thousandths, point):
    value = Decimal(thousandths).scaleb(-3)
    typed = f"{value:f}".replace(".", point)

    assert parse_reading(typed, digits_before=5, digits_after=3) == value


@pytest.mark.parametrize("typed", ["1e3", "12,3,4", "NaN", "١٢٣", "12 345,6789"])
def test_what_is_not_a_reading_is_refused(typed):
    with pytest.raises(FieldError):
        parse_reading(typed, digits_before=5, digits_after=3)


def test_spaces_between_digit_groups_are_ignored():
    assert parse_reading(" 12 345,6 ", digits_before=5, digits_after=3) == Decimal("12345.600")


@pytest.mark.parametrize(
    ("address", "house"),
    [
        ("г. Тверь, ул. Советская, д. 12, кв. 9", "г. Тверь, ул. Советская, д. 12"),
        ("г. Пермь, ул. Ленина, д. 10, кв. 4; комн. 2", "г. Пермь, ул. Ленина, д. 10"),
        ("г. Тверь, пр-т Победы, д. 3", "г. Тверь, пр-т Победы, д. 3"),
    ],
)
def test_the_house_is_the_account_address_without_the_flat(address, house):
    assert building_address(address) == house
