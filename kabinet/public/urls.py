from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("news/", views.news, name="news"),
    path("news/<slug:slug>/", views.news_detail, name="news_detail"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("cabinet/news/", views.cabinet_news, name="cabinet_news"),
    path("cabinet/news/<slug:slug>/", views.cabinet_news_detail, name="cabinet_news_detail"),
    # Last: any other single-segment address is a staff-edited page or a 404.
    path("<slug:slug>/", views.page, name="page"),
]
