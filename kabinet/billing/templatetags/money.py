from decimal import Decimal

from django import template

from kabinet.core.charts import format_number

from ..selectors import format_volume

register = template.Library()


@register.filter
def rub(value: Decimal | None) -> str:
    """1234.5 -> «1 234,50»."""
    return "" if value is None or value == "" else format_number(Decimal(value))


@register.filter
def qty(value: Decimal | None) -> str:
    return "" if value is None else format_volume(value)


@register.filter
def absolute(value: Decimal) -> Decimal:
    return abs(value)
