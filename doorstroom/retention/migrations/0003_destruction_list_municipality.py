import django.db.models.deletion
from django.db import migrations, models


def scope_existing_lists(apps, schema_editor):
    """Lists drawn up before scoping belong to the municipality of whoever drew them up."""
    DestructionList = apps.get_model("retention", "DestructionList")
    for destruction_list in DestructionList.objects.select_related("created_by").filter(municipality__isnull=True):
        if destruction_list.created_by.organisation_id is None:
            raise RuntimeError(f"Vernietigingslijst {destruction_list.pk}: de opsteller hoort bij geen organisatie.")
        destruction_list.municipality_id = destruction_list.created_by.organisation_id
        destruction_list.save(update_fields=["municipality"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("retention", "0002_erasure_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="destructionlist",
            name="municipality",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="gemeente",
            ),
        ),
        migrations.RunPython(scope_existing_lists, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="destructionlist",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="gemeente",
            ),
        ),
    ]
