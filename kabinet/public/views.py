from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kabinet.billing.selectors import current_tariffs
from kabinet.residents.cabinet import Cabinet, cabinet_page
from kabinet.residents.forms.access import LoginForm

from . import selectors

NEWS_PER_PAGE = 10


def home(request: HttpRequest) -> HttpResponse:
    form = None
    if not request.user.is_authenticated:
        form = LoginForm(request)
        # The home page opens with the banner; focus jumping to the box would hide it on a phone.
        form.fields["username"].widget.attrs.pop("autofocus", None)
    ctx = {"form": form, "news": selectors.latest_news(limit=3)}
    return render(request, "public/home.html", ctx)


def news(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.published_news(), NEWS_PER_PAGE)
    ctx = {"page_obj": paginator.get_page(request.GET.get("page"))}
    return render(request, "public/news_list.html", ctx)


def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(selectors.published_news(), slug=slug)
    return render(request, "public/news_detail.html", {"item": item})


def disclosure(request: HttpRequest) -> HttpResponse:
    return render(request, "public/disclosure.html", {"sections": selectors.disclosure_sections()})


def page(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(selectors.pages(), slug=slug)
    ctx = {"page": page, "show_company_contacts": page.slug == "contacts"}
    if page.slug == "tariffs":
        ctx.update(show_tariffs=True, tariffs=current_tariffs())
    return render(request, "public/page.html", ctx)


@cabinet_page
def cabinet_news(request: HttpRequest, cabinet: Cabinet) -> HttpResponse:
    paginator = Paginator(selectors.published_news(), NEWS_PER_PAGE)
    ctx = {"page_obj": paginator.get_page(request.GET.get("page"))}
    return render(request, "public/cabinet_news.html", ctx)


@cabinet_page
def cabinet_news_detail(request: HttpRequest, cabinet: Cabinet, slug: str) -> HttpResponse:
    item = get_object_or_404(selectors.published_news(), slug=slug)
    return render(request, "public/cabinet_news_detail.html", {"item": item})
