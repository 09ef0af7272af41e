"""`get_<field>_display()` of every model with a public id answers what Django's own answers, for
every choice and for a value outside them, in Dutch and in English."""

from django.apps import apps
from django.db.models import Model
from django.utils import translation

from doorstroom.core.models import PublicIdModel


def test_choice_labels_equal_django_s_in_both_languages():
    checked = 0
    for model in apps.get_models():
        if not issubclass(model, PublicIdModel):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = [value for value, _label in field.flatchoices] + ["geen-keuze"]
            for language in ("nl", "en"):
                with translation.override(language):
                    for value in values:
                        row = model(**{field.attname: value})
                        ours = getattr(row, f"get_{field.name}_display")()
                        django_s = Model._get_FIELD_display(row, field)
                        assert ours == django_s and type(ours) is type(django_s), (model, field.name, value)
                        checked += 1
    assert checked > 100  # the project has many such fields: the comparison had work to do
