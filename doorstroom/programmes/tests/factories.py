import factory

from doorstroom.programmes.models import Phase, Programme


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A programme with three phases of 4, 8 and unknown weeks."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"programma-{n}")
    name = factory.Sequence(lambda n: f"Programma {n}")
    coaching_hours_per_week = 2

    @factory.post_generation
    def phases(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        for position, (name, weeks) in enumerate(extracted or [("Taal", 4), ("Werk", 8), ("Nazorg", None)], 1):
            Phase.objects.create(programme=self, position=position, name=name, expected_weeks=weeks)
