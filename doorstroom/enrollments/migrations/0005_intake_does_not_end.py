from django.db import migrations

OPEN = ["aangemeld", "intake", "actief", "gepauzeerd"]


def repair(apps, schema_editor):
    """An intake used to set ended_on on enrollments that are still open; the replay no longer does
    that, so the stored projection (a cache of the replay) is brought in line. Closed enrollments
    got their own end date from the closing event and are untouched."""
    Enrollment = apps.get_model("enrollments", "Enrollment")
    Enrollment.objects.filter(state__in=OPEN, ended_on__isnull=False).update(ended_on=None)


class Migration(migrations.Migration):
    dependencies = [("enrollments", "0004_encryption_at_rest")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
