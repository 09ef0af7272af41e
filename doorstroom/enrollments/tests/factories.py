from datetime import date

import factory

from doorstroom.enrollments.models import TeamAssignment, TeamRole
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory


class TeamAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamAssignment

    participant = factory.SubFactory(ParticipantFactory)
    member = factory.SubFactory(UserFactory)
    organisation = factory.LazyAttribute(lambda o: o.member.organisation)
    role = TeamRole.COACH
    starts_on = date(2020, 1, 1)
