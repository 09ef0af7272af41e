from datetime import date

import factory

from doorstroom.organisations.tests.factories import OrganisationFactory
from doorstroom.participants.models import Participant, ResidenceStatus


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    municipality = factory.SubFactory(OrganisationFactory, municipality=True)
    given_name = factory.Sequence(lambda n: f"Voornaam{n}")
    family_name = factory.Sequence(lambda n: f"Achternaam{n}")
    date_of_birth = date(1990, 5, 17)
    residence_status = ResidenceStatus.ASYLUM_PERMIT
    civic_integration_duty = True
    languages = ["nl", "ti"]
