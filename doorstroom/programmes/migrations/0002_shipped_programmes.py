from django.db import migrations


def forwards(apps, schema_editor):
    from doorstroom.programmes.catalogue import load_catalogue

    load_catalogue(apps)


def backwards(apps, schema_editor):
    from doorstroom.programmes.catalogue import CATALOGUE

    apps.get_model("programmes", "Programme").objects.filter(
        code__in=[entry["code"] for entry in CATALOGUE], enrollments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
