# Signals about an enrollment name their programme as a reference, not in their text: a sensitive
# programme's phase name no longer sits in a signal's detail (ADR 0010).

import re

import django.db.models.deletion
from django.db import migrations, models

PHASE_IN_TEXT = re.compile(r"^(\d+) weken in .* \(verwacht (\d+)\)$")


def name_programmes_by_reference(apps, schema_editor):
    Signal = apps.get_model("signalering", "Signal")
    Enrollment = apps.get_model("enrollments", "Enrollment")
    for signal in Signal.objects.filter(rule="fase_te_lang").iterator():
        enrollment = Enrollment.objects.filter(uuid=signal.subject).values("programme_id").first()
        match = PHASE_IN_TEXT.match(signal.detail)
        detail = f"{match[1]} weken in de huidige fase (verwacht {match[2]})" if match else ""
        Signal.objects.filter(pk=signal.pk).update(
            programme_id=enrollment["programme_id"] if enrollment else None, detail=detail
        )


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0004_sensitive_programmes'),
        ('enrollments', '0007_more_team_roles'),
        ('signalering', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='signal',
            name='programme',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.programme'),
        ),
        migrations.RunPython(name_programmes_by_reference, migrations.RunPython.noop),
    ]
