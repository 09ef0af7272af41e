import factory

from doorstroom.organisations.models import Organisation, OrganisationKind, Region, Role, User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.REINTEGRATION

    class Params:
        municipality = factory.Trait(
            kind=OrganisationKind.MUNICIPALITY, name=factory.Sequence(lambda n: f"Gemeente {n}")
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Medewerker {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COACH
    password = factory.django.Password("Wachtwoord-voor-tests-1")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Regio {n}")
    centre = factory.SubFactory(OrganisationFactory, municipality=True)
