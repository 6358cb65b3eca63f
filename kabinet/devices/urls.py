from django.urls import path, re_path

from . import views

app_name = "devices"

urlpatterns = [
    path("cabinet/profile/devices/", views.devices, name="devices"),
    path("cabinet/profile/devices/<int:device_id>/inputs/", views.device_inputs, name="inputs"),
    path("cabinet/profile/devices/<int:device_id>/token/", views.device_token, name="token"),
    path("cabinet/profile/devices/<int:device_id>/remove/", views.device_remove, name="remove"),
    # The device's own address: typed by hand into its settings, so with or without the final
    # slash (a POST redirected to add it would lose its body).
    re_path(r"^devices/waterius/?$", views.waterius_post, name="waterius"),
    re_path(
        r"^devices/waterius/(?P<token>[A-Za-z0-9_-]{1,64})/?$", views.waterius_post, name="waterius_token"
    ),
]
