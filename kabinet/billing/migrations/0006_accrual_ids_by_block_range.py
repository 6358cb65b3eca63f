"""Accruals on PostgreSQL: no (id, period) primary key; a BRIN index finds an accrual by id.

A partitioned table's primary key must hold its partition key, so `id` alone could never be
one there: (id, period) only said that ids are unique, which their sequence already makes
them (nothing writes an accrual's id by hand), and building that B-tree cost every accruals
import a third of a second per million rows. What keeps the books consistent stays: the
unique (account, period, service) key, the CHECKs and the foreign keys. Django still treats
`id` as the primary key; the admin's view of one accrual and deletes look it up by id, and
ids grow with the order rows are written in, which is what a BRIN index (a few pages, built
in one pass without sorting) needs. On SQLite nothing changes.
"""

from django.db import migrations


def on_postgresql(*statements: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_accrual_key_in_byte_order"),
    ]

    operations = [
        migrations.RunPython(
            on_postgresql(
                "ALTER TABLE billing_accrual DROP CONSTRAINT billing_accrual_pkey",
                "CREATE INDEX billing_accrual_id ON billing_accrual USING brin (id)",
            ),
            on_postgresql(
                "DROP INDEX billing_accrual_id",
                "ALTER TABLE billing_accrual ADD CONSTRAINT billing_accrual_pkey PRIMARY KEY (id, period)",
            ),
            elidable=False,
        ),
    ]
