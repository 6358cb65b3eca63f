"""Django's Russian date formats, corrected where they read wrong (settings.FORMAT_MODULE_PATH).

Django's own ru formats write a day with the month in the nominative, «4 Декабрь» (the admin's
date drill-down uses it); a day takes the genitive: «4 декабря». Everything else is Django's.
"""

from django.conf.locale.ru.formats import *  # noqa: F403

MONTH_DAY_FORMAT = "j E"
