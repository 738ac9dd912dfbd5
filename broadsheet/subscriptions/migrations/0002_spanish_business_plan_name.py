"""The Spanish edition's Business plan was seeded with its English name; readers there see
"Empresas". Only a plan still carrying the seed's untouched name is renamed."""

from django.db import migrations


def rename(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    Plan.objects.filter(
        locale__language_code__istartswith="es", kind="business", name="Business"
    ).update(name="Empresas")


def unname(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    Plan.objects.filter(
        locale__language_code__istartswith="es", kind="business", name="Empresas"
    ).update(name="Business")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(rename, unname)]
