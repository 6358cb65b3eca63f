"""Template filters over kabinet.core.formats. {% load formats %}, then {{ sum|money }},
{{ day|day }}, {{ moment|day_time }}, {{ period|month }}, {{ n|plural:"минуту,минуты,минут" }}."""

from django import template

from kabinet.core import formats

register = template.Library()


@register.filter
def money(value) -> str:
    return "" if value is None or value == "" else formats.money(value)


@register.filter
def day(value) -> str:
    return "" if not value else formats.date(value)


@register.filter
def day_time(value) -> str:
    return "" if not value else formats.date_time(value)


@register.filter
def day_month(value) -> str:
    return "" if not value else formats.day_month(value)


@register.filter
def month(value) -> str:
    return "" if not value else formats.month(value)


@register.filter
def plural(value, forms: str) -> str:
    """{{ n|plural:"минуту,минуты,минут" }} -> the word alone; the number is the template's."""
    one, few, many = forms.split(",")
    return formats.plural(int(value), one, few, many)


_NOT_DIALLED = str.maketrans("", "", " -()")


@register.filter
def tel(value) -> str:
    """«+7 (342) 200-00-00» -> «+73422000000», for a `tel:` link: one filter, not four `cut`s."""
    return str(value or "").translate(_NOT_DIALLED)
