from django.db import migrations


def seed(apps, schema_editor):
    Row = apps.get_model("care", "CarePolicyRow")
    if not Row.objects.exists():
        Row.objects.create()  # the SPEC's defaults are the field defaults


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
