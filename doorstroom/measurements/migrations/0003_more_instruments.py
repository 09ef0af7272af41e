from django.db import migrations


def load(apps, schema_editor):
    from doorstroom.measurements import catalogue

    catalogue.load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("measurements", "0002_shipped_instruments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
