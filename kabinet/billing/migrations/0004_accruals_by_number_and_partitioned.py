"""Accruals keyed by account number and service code, and partitioned by period on PostgreSQL.

The rows are set aside with their account numbers and service codes, the keys changed on the
empty table, and the rows put back. On PostgreSQL the table is then rebuilt as a table
partitioned by LIST (period) with a default partition (see `billing/imports/copyroad/partitions.py`); its
primary key becomes (id, period), as PostgreSQL requires, and ids keep their sequence.
"""

import django.db.models.deletion
from django.db import migrations, models

STASH = "billing_accrual_stash"
COLUMNS = (
    "id, period, tariff, volume, unit, volume_source, accrued, recalculation, recalculation_reason, "
    "benefit, to_pay"
)


def set_rows_aside(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {STASH} AS SELECT {', '.join('x.' + c.strip() for c in COLUMNS.split(','))}, "
            "a.number AS account_number, s.code AS service_code FROM billing_accrual x "
            "JOIN billing_account a ON a.id = x.account_id JOIN billing_service s ON s.id = x.service_id"
        )
        cursor.execute("DELETE FROM billing_accrual")


def partition_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'billing_accrual'::regclass AND contype IN ('f', 'u')"
        )
        keys = cursor.fetchall()
        cursor.execute(
            "CREATE TABLE billing_accrual_partitioned (LIKE billing_accrual INCLUDING DEFAULTS "
            "INCLUDING CONSTRAINTS INCLUDING IDENTITY) PARTITION BY LIST (period)"
        )
        cursor.execute("DROP TABLE billing_accrual")
        cursor.execute("ALTER TABLE billing_accrual_partitioned RENAME TO billing_accrual")
        cursor.execute("ALTER SEQUENCE billing_accrual_partitioned_id_seq RENAME TO billing_accrual_id_seq")
        # An import takes ids for a million rows: a session reserves them a thousand at a time.
        cursor.execute("ALTER SEQUENCE billing_accrual_id_seq CACHE 1000")
        cursor.execute("ALTER TABLE billing_accrual ADD CONSTRAINT billing_accrual_pkey PRIMARY KEY (id, period)")
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE billing_accrual ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("CREATE TABLE billing_accrual_default PARTITION OF billing_accrual DEFAULT")


def put_rows_back(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO billing_accrual ({COLUMNS}, account_id, service_id) "
            f"SELECT {COLUMNS}, account_number, service_code FROM {STASH}"
        )
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval('billing_accrual_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM billing_accrual), false)"
            )
        cursor.execute(f"DROP TABLE {STASH}")


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_drop_indexes_covered_by_unique_ones"),
    ]

    operations = [
        migrations.RunPython(set_rows_aside, elidable=False),
        migrations.RemoveIndex(model_name="accrual", name="accrual_period"),
        migrations.AlterField(
            model_name="accrual",
            name="account",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accruals",
                to="billing.account",
                to_field="number",
                verbose_name="лицевой счёт",
            ),
        ),
        migrations.AlterField(
            model_name="accrual",
            name="service",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accruals",
                to="billing.service",
                to_field="code",
                verbose_name="услуга",
            ),
        ),
        migrations.RunPython(partition_on_postgresql, elidable=False),
        migrations.RunPython(put_rows_back, elidable=False),
    ]
