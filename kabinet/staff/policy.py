"""Who must confirm the sign-in with a second factor (TOTP).

Superusers, and every member of staff whose permissions reach personal data: the residents,
their requests, accounts, charges, readings, appeals, messages, the audit log. Only staff who
edit nothing but the public site's content (news, pages, disclosure) sign in with a password.
The demo users of `make run` may be let in without it, and only with DEBUG on (settings).
"""

from django.conf import settings

# Models whose rows hold no personal data: the company site's content and reference lists.
WITHOUT_PERSONAL_DATA = {
    "public",  # the whole app: pages, news, disclosure documents
    "billing.service",
    "meters.readingschedule",
    "residents.policydocument",
}


def _model_of(permission: str) -> tuple[str, str]:
    app_label, codename = permission.split(".", 1)
    return app_label, codename.split("_", 1)[-1]


def _reaches_personal_data(permission: str) -> bool:
    app_label, model = _model_of(permission)
    return app_label not in WITHOUT_PERSONAL_DATA and f"{app_label}.{model}" not in WITHOUT_PERSONAL_DATA


def requires_second_factor(user) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if settings.DEBUG and user.get_username() in settings.STAFF_2FA_DEMO_USERNAMES:
        return False
    if user.is_superuser:
        return True
    return any(_reaches_personal_data(permission) for permission in user.get_all_permissions())
