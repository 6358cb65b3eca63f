from django.db import migrations, models

# Months already rebuilt before the column existed: charged where the month has accruals.
MARK_CHARGED = (
    "UPDATE billing_accountperiod SET charged = TRUE WHERE EXISTS (SELECT 1 FROM billing_accrual a "
    "JOIN billing_account acc ON acc.number = a.account_id WHERE acc.id = billing_accountperiod.account_id "
    "AND a.period = billing_accountperiod.period)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_accrual_ids_by_block_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="accountperiod",
            name="charged",
            field=models.BooleanField(db_default=False, default=False, verbose_name="есть начисления"),
        ),
        migrations.RunSQL(MARK_CHARGED, migrations.RunSQL.noop, elidable=True),
    ]
