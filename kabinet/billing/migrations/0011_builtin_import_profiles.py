"""The built-in profiles of billing systems' own exports (kabinet/billing/imports/built_in.py)."""

from django.db import migrations

from kabinet.billing.imports.built_in import ensure_built_in_profiles


def add_built_in(apps, schema_editor):
    ensure_built_in_profiles(apps.get_model("billing", "ImportProfile"))


def remove_built_in(apps, schema_editor):
    apps.get_model("billing", "ImportProfile").objects.filter(built_in=True).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0010_import_profiles")]

    operations = [migrations.RunPython(add_built_in, remove_built_in)]
