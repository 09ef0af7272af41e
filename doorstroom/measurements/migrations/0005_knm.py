from django.db import migrations


def load(apps, schema_editor):
    """The language-level instrument gains the optional KNM item (existing scores are unchanged)."""
    from doorstroom.measurements import catalogue

    catalogue.load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("measurements", "0004_kinds")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
