from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return HttpResponse("")


register = request_sent = confirm_code = resend_code = registration_done = policy = _todo
login_view = logout_view = password_help = cabinet = _todo
