"""The built-in profiles of billing systems' own exports (docs/billing-formats.md, «Профили»).

Written here as data, not imported from the app: a migration must mean the same thing tomorrow.
An operator may edit a built-in profile (its columns, its title); a later migration adds new
ones and leaves the edited ones be.
"""

from django.db import migrations

BUILT_IN = [
    {
        "name": "1c-14-1",
        "title": "1С: Учёт в управляющих компаниях ЖКХ — реестр для Сбербанка (шаблон 14-1)",
        "kind": "accounts",
        "file_format": "csv",
        "separator": ";",
        "encoding": "cp1251",
        "header_row": 0,
        "mapping": {"account_number": "1", "full_name": "2", "address": "3"},
    },
    {
        "name": "kvado",
        "title": "КВАДО: начисления",
        "kind": "accruals",
        "file_format": "",
        "separator": "",
        "encoding": "",
        "header_row": 1,
        "mapping": {
            "account_number": "accounts_id",
            "period": "period",
            "service_code": "utilities_id",
            "service_name": "utilities_title",
            "tariff_zone": "bet",
            "tariff": "cost",
            "volume": "volume",
            "volume_source": "calculated_by",
            "accrued": "value",
            "recalculation": "recalc",
            "benefit": "privileges",
        },
    },
    {
        "name": "kvado",
        "title": "КВАДО: платежи",
        "kind": "payments",
        "file_format": "",
        "separator": "",
        "encoding": "",
        "header_row": 1,
        "mapping": {
            "account_number": "accounts_id",
            "paid_on": "date",
            "amount": "sum",
            "period": "period",
            "external_id": "id",
            "note": "source",
        },
    },
    {
        "name": "szn-dbf",
        "title": "Обмен с соцзащитой (льготы), DBF",
        "kind": "accounts",
        "file_format": "dbf",
        "separator": "",
        "encoding": "",
        "header_row": 1,
        "mapping": {
            "account_number": "LCHET",
            "full_name": ["FAM_L", "IM_L", "OT_L"],
            "address": ["NNASP", "NYLIC", "NDOM", "NKORP", "NKW"],
        },
    },
    {
        "name": "condo-doma",
        "title": "Приборы учёта: таблица «Дома» (21 столбец)",
        "kind": "meters",
        "file_format": "",
        "separator": "",
        "encoding": "",
        "header_row": 1,
        "mapping": {
            "account_number": "accountNumber",
            "serial_number": "meterNumber",
            "service": "resource",
            "tariffs": "numberOfTariffs",
            "place": "place",
            "installed_on": "installationDate",
            "next_check_date": "nextVerificationDate",
            "initial_value": "value1",
            "initial_value_t2": "value2",
            "initial_value_t3": "value3",
        },
    },
]


def add_built_in(apps, schema_editor):
    ImportProfile = apps.get_model("billing", "ImportProfile")
    for profile in BUILT_IN:
        values = {k: v for k, v in profile.items() if k not in ("kind", "name")}
        ImportProfile.objects.get_or_create(
            kind=profile["kind"], name=profile["name"], defaults={**values, "built_in": True}
        )


def remove_built_in(apps, schema_editor):
    apps.get_model("billing", "ImportProfile").objects.filter(built_in=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0010_import_profiles")]

    operations = [migrations.RunPython(add_built_in, remove_built_in)]
