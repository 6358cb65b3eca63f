from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from kabinet.core.formats import counted

register = template.Library()


@register.simple_tag
def result_count(cl) -> str:
    """«71 оплата», «2 оплаты», «0 оплат»: the list's counter in the form its number takes."""
    noun = getattr(cl.model_admin, "noun", None)
    if noun is not None:
        return noun.counted(cl.result_count)
    return counted(cl.result_count, "запись", "записи", "записей")


@register.simple_tag
def labelled(cell: str, headers: list, index: int) -> str:
    """A list's cell carrying its column's title (data-label), for the phone layout in
    core/admin.css, where each row becomes a card of «title: value» lines. Django renders the
    cell whole, so the title goes into its opening tag; the selection box's column has none."""
    header = headers[index] if index < len(headers) else None
    title = strip_tags(str(header["text"])).strip() if header else ""
    if not title or not cell.startswith(("<td", "<th")):
        return mark_safe(cell)
    tag = cell[:3]
    return mark_safe(f'{tag} data-label="{escape(capfirst(title))}"{cell[3:]}')
