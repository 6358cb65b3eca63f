"""The built-in profiles of billing systems' own exports (docs/billing-formats.md, «Профили»).

Created by a migration (0011) and again by tests that empty the tables; an operator may edit a
built-in profile (its columns, its title), and `ensure_built_in_profiles` leaves an edited one be.
"""

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


def ensure_built_in_profiles(profile_model) -> None:
    """Create the built-in profiles that are missing; `profile_model` is the model (or the
    migration's historical one)."""
    for profile in BUILT_IN:
        values = {k: v for k, v in profile.items() if k not in ("kind", "name")}
        profile_model.objects.get_or_create(
            kind=profile["kind"], name=profile["name"], defaults={**values, "built_in": True}
        )
