from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .services import record_delivery_report


@csrf_exempt
@require_http_methods(["GET", "POST"])
def kannel_dlr(request: HttpRequest, token: str, message_id: int) -> HttpResponse:
    """Kannel's delivery report (`dlr-url`): `?type=<1,2,4,8,16>&reply=<the SMSC's words>`.

    Only Kannel knows the token: a wrong or unset one gets 404, as if the address did not exist.
    """
    expected = settings.KANNEL_DLR_TOKEN
    if not expected or not constant_time_compare(token, expected):
        raise Http404
    try:
        report_type = int(request.GET.get("type", ""))
    except ValueError:
        return HttpResponseBadRequest("type must be a number")
    message = record_delivery_report(
        message_id=message_id, report_type=report_type, reply=request.GET.get("reply", "")
    )
    if message is None:
        raise Http404
    return HttpResponse("OK", content_type="text/plain")
