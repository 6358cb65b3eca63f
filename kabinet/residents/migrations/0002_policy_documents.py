"""Publishes the first editions of the privacy policy and of the separate consent (152-ФЗ)."""

from django.db import migrations

from kabinet.residents.defaults import ensure_policy_documents


def create(apps, schema_editor):
    ensure_policy_documents(apps.get_model("residents", "PolicyDocument"))


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
