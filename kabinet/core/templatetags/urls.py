"""`{% url %}` with each address reversed once per process (a builtin of the templates, settings).

Django's tag reverses on every render: about a tenth of a millisecond each, and a cabinet page
has a dozen. An address depends only on the view's name, its arguments, the URL configuration,
the script prefix and the current app: for arguments of plain values (text, numbers, dates) the
answer is kept under those. A test that swaps the URL configuration clears it (setting_changed),
as Django clears its own resolvers' caches.
"""

import datetime
import functools

from django.core.signals import setting_changed
from django.template import Library, defaulttags
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = Library()
_PLAIN = (str, int, datetime.date)


@functools.lru_cache(maxsize=4096)
def _reversed(view_name, args, kwargs, current_app, script_prefix, urlconf) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "INSTALLED_APPS"):
        _reversed.cache_clear()


setting_changed.connect(_forget, dispatch_uid="kabinet_reversed_once")


class URLNode(defaulttags.URLNode):
    def render(self, context):
        if self.asvar:
            return super().render(context)  # rare here; keeps Django's «as var» behaviour whole
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((k, v.resolve(context)) for k, v in self.kwargs.items())
        if not all(isinstance(value, _PLAIN) for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)  # a model or a lazy value: as Django does
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        view_name = self.view_name.resolve(context)
        url = _reversed(view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
