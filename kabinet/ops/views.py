import hmac
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import ConnectionError as RedisDown

from kabinet.core.clientip import address_in, client_ip
from kabinet.core.logs import current_request_id

from . import health, metrics


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process lives and answers: for the supervisor and nginx; touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: database, cache, migrations applied, workers alive. 503 when any fails."""
    results = health.run_checks()
    ok = all(check.ok for check in results.values())
    body = {
        "status": "ok" if ok else "fail",
        "checks": {name: {"ok": c.ok, "detail": c.detail, "ms": c.ms} for name, c in results.items()},
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@never_cache
def prometheus(request: HttpRequest) -> HttpResponse:
    """Closed to the public: a bearer token (KABINET_METRICS_TOKEN) or an address from
    KABINET_METRICS_ALLOWED_IPS; 404 to anyone else, so the page is not even seen to exist."""
    if not metrics_allowed(request):
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if not settings.TRUSTED_PROXIES and request.headers.get("X-Forwarded-For"):
        # A proxy we were not told about forwards this: the peer's address is the proxy's own,
        # and loopback would let every visitor in.
        return False
    return address_in(client_ip(request), settings.METRICS_ALLOWED_IPS, "KABINET_METRICS_ALLOWED_IPS")


def unavailable(error: BaseException | None) -> bool:
    """A database or Redis that went away: the service is down for a while (503, retry in a
    minute), not broken."""
    return isinstance(error, OperationalError | InterfaceError | RedisDown)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database or Redis that went away is «временно недоступно» (503, retry in
    a minute), anything else the plain error page with the request id to quote."""
    if unavailable(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("ops/unavailable.html"), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(
        render_to_string("ops/server_error.html", {"request_id": current_request_id()}), status=500
    )
