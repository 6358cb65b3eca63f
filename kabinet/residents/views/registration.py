"""«Заявка на регистрацию», the code from the SMS, the applicant's pages: HTTP only, the actions
are in services/registration.py."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kabinet.core import ratelimit
from kabinet.core.clientip import client_ip
from kabinet.core.normalize import phone_masked

from .. import captcha, selectors
from ..forms.registration import CodeForm, RegistrationForm
from ..models import PolicyDocument, RegistrationRequest
from ..services import registration

SESSION_REQUEST = "registration_request_id"
SESSION_DONE = "registration_done_account"


@never_cache  # the page may carry the passwords typed back into the form
def register(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and "captcha_refresh" in request.POST:
        # «Показать другую картинку» without JavaScript: the same form, typed data kept.
        data = request.POST.dict()
        for key in ("captcha_0", "captcha_1"):
            data.pop(key, None)
        form = RegistrationForm(initial=data)
        form.fields["password1"].widget.render_value = form.fields["password2"].widget.render_value = True
    elif request.method == "POST":
        waived = captcha.spend_retry(request.session)
        form = RegistrationForm(request.POST, ip=client_ip(request), captcha_waived=waived)
        if form.is_valid() and (registration_request := _submit(request, form)):
            request.session[SESSION_REQUEST] = registration_request.pk
            return redirect("residents:request_sent")
        if form.captcha_solved and not (waived or form.rate_limited):
            # One retry only: a submission that went without the picture earns no other.
            captcha.grant_retry(request.session)
            form.waive_captcha()
        elif waived:
            form.ask_captcha_again()
        form.keep_passwords()
    else:
        form = RegistrationForm()
    ctx = {
        "form": form,
        "policy": PolicyDocument.current(PolicyDocument.Kind.PRIVACY),
        "consent": PolicyDocument.current(PolicyDocument.Kind.CONSENT),
    }
    return render(request, "residents/register.html", ctx)


def _submit(request: HttpRequest, form: RegistrationForm) -> RegistrationRequest | None:
    data = form.cleaned_data
    try:
        return registration.submit_registration(
            full_name=data["full_name"],
            account_number=data["account_number"],
            phone=data["phone"],
            email=data["email"],
            password=data["password1"],
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except ratelimit.RateLimited as refusal:
        form.rate_limited = True
        form.add_error(None, refusal.message)
    except registration.RegistrationError as error:
        form.add_error(error.field, error.message)
    return None


def _session_request(request: HttpRequest) -> RegistrationRequest | None:
    return selectors.registration_request(request.session.get(SESSION_REQUEST))


def request_sent(request: HttpRequest) -> HttpResponse:
    registration_request = _session_request(request)
    if registration_request is None:
        return redirect("residents:register")
    ctx = {"registration_request": registration_request, "phone": phone_masked(registration_request.phone)}
    return render(request, "residents/request_sent.html", ctx)


def request_status(request: HttpRequest, token: str) -> HttpResponse:
    """The applicant's page of a rejected request: the reason in full, and what to do next."""
    registration_request = selectors.rejected_request(token)
    if registration_request is None:
        raise Http404
    return render(request, "residents/request_status.html", {"registration_request": registration_request})


def confirm_code(request: HttpRequest) -> HttpResponse:
    session_request = _session_request(request)
    initial = {"account_number": session_request.account_number} if session_request else {}
    form = CodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        code = form.require_code()
        registration_request = _approved_request_or_error(form)
        if code and registration_request:
            try:
                registration.confirm_registration(
                    registration_request=registration_request, code=code, ip=client_ip(request)
                )
            except ratelimit.RateLimited as refusal:
                form.add_error("code", refusal.message)
            except registration.RegistrationError as error:
                form.add_error(error.field, error.message)
            else:
                request.session.pop(SESSION_REQUEST, None)
                request.session[SESSION_DONE] = registration_request.account_number
                return redirect("residents:registration_done")
    return render(request, "residents/confirm_code.html", {"form": form})


def _approved_request_or_error(form: CodeForm) -> RegistrationRequest | None:
    registration_request = selectors.approved_request(form.cleaned_data["account_number"])
    if registration_request is None:
        form.add_error(
            "account_number",
            "Для этого лицевого счета нет заявки, которая ждёт кода. Если вы подали заявку недавно, "
            "дождитесь SMS: проверка занимает от нескольких минут до трех суток.",
        )
    return registration_request


@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid() and (registration_request := _approved_request_or_error(form)):
        try:
            registration.request_new_code(registration_request=registration_request, ip=client_ip(request))
        except ratelimit.RateLimited as refusal:
            form.add_error("code", refusal.message)
        except registration.RegistrationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(
                request, f"Новый код отправлен в SMS на номер {phone_masked(registration_request.phone)}."
            )
            return redirect(reverse("residents:confirm_code"))
    return render(request, "residents/confirm_code.html", {"form": form})


def registration_done(request: HttpRequest) -> HttpResponse:
    account_number = request.session.get(SESSION_DONE)
    if not account_number:
        return redirect("residents:login")
    return render(request, "residents/registration_done.html", {"account_number": account_number})


def policy(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in PolicyDocument.Kind.values:
        raise Http404
    document = PolicyDocument.current(kind)
    if document is None:
        raise Http404
    return render(request, "residents/policy.html", {"document": document})
