from django import template

from kabinet.core.formats import counted

register = template.Library()


@register.simple_tag
def result_count(cl) -> str:
    """«71 оплата», «2 оплаты», «0 оплат»: the list's counter in the form its number takes."""
    noun = getattr(cl.model_admin, "noun", None)
    if noun is not None:
        return noun.counted(cl.result_count)
    return counted(cl.result_count, "запись", "записи", "записей")
