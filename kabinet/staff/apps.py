from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffConfig(AppConfig):
    """Staff sign-in to the back-office: the guarded password form and the second factor."""

    default = True
    name = "kabinet.staff"
    label = "staff"
    verbose_name = "Сотрудники"


class KabinetAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that asks staff for their second factor."""

    default = False
    default_site = "kabinet.staff.sites.KabinetAdminSite"
