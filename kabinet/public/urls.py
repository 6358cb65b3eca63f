from django.http import HttpResponse
from django.urls import path

app_name = "public"


def _todo(request, *args, **kwargs):
    return HttpResponse("")


urlpatterns = [
    path("", _todo, name="home"),
    path("news/", _todo, name="news"),
    path("disclosure/", _todo, name="disclosure"),
    path("<slug:slug>/", _todo, name="page"),
]
