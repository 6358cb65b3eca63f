from decimal import Decimal

from django import template

from kabinet.core import formats

register = template.Library()


@register.filter
def rub(value: Decimal | None) -> str:
    """1234.5 -> «1 234,50»."""
    return "" if value is None or value == "" else formats.number(Decimal(value))


@register.filter
def qty(value: Decimal | None) -> str:
    return "" if value is None else formats.quantity(value)


@register.filter
def absolute(value: Decimal) -> Decimal:
    return abs(value)
