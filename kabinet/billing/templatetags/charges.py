"""The lines of «Начисления»: {% load charges %}, then {% service_rows doc.lines %} and
{% penalty_rows doc.penalties %} inside the table's body and foot.

The rows are written here, beside the page's template, rather than in it: eight lines of seven
cells through the template engine were a third of the page's time (bench/pages.py), and the
page is made afresh after every import, payment or reading. The cells are the line's `shown`
values and its «Как посчитано?» items (kabinet.billing.selectors.ChargeLine); every value is
escaped by `format_html_join`.
"""

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_HOW = (
    '<th scope="row" class="charges__service">{} <details class="charges__how"><summary>{}</summary>'
    "<ul>{}</ul></details></th>"
)
_SUMS = (
    '<td data-label="Начислено, ₽">{}</td><td data-label="Перерасчёт, ₽">{}</td>'
    '<td data-label="Льгота, ₽">{}</td><td data-label="К оплате, ₽" class="charges__sum">{}</td>'
)
_SERVICE_ROW = (
    f'<tr class="charges__line">{_HOW}<td data-label="Объём">{{}}</td><td data-label="Тариф, ₽">{{}}</td>'
    f"{_SUMS}</tr>\n"
)
_PENALTY_ROW = (
    f'<tr class="charges__line charges__penalty">{_HOW}<td class="charges__empty"></td>'
    f'<td class="charges__empty"></td>{_SUMS}</tr>\n'
)


def _sums(cells: dict[str, str]) -> tuple[str, str, str, str]:
    return cells["accrued"], cells["recalculation"], cells["benefit"], cells["to_pay"]


@register.simple_tag
def service_rows(lines: Iterable) -> SafeString:
    return format_html_join(
        "",
        _SERVICE_ROW,
        (
            (line.service_name, "Как посчитано?", line.explanation_items, line.shown["volume"],
             line.shown["tariff"], *_sums(line.shown))
            for line in lines
        ),
    )  # fmt: skip


@register.simple_tag
def penalty_rows(lines: Iterable) -> SafeString:
    return format_html_join(
        "",
        _PENALTY_ROW,
        ((line.service_name, "Что это?", line.explanation_items, *_sums(line.shown)) for line in lines),
    )
