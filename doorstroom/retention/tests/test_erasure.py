"""H4: erasure (AVG art. 17) where the law allows it; afterwards no table holds the erased name,
BSN or blind index, the audit log included, and an erasure record remains."""

from datetime import timedelta

from django.apps import apps
from django.urls import reverse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorstroom.access.models import AuditAction, AuditEvent
from doorstroom.core import clock
from doorstroom.core.crypto import blind_index
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.retention import rules, services
from doorstroom.retention.models import ErasureGround, ErasureRecord

pytestmark = pytest.mark.django_db

NAME, BSN = "Zeldzaamwoord", "123456782"


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(
        municipality=municipality, family_name=NAME, given_name="Vergeet", bsn=BSN, phone="0698765432"
    )
    TeamAssignmentFactory(participant=participant, member=director)
    participant_services.household_add_member(participant=participant, relation="ouder", name=f"Huishouden {NAME}")
    participant_services.sharing_grant(
        participant=participant,
        organisation=municipality,
        category="contact",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=director,
    )
    participant_services.participant_update(
        participant=participant, data={"given_name": "Vergeten"}, expected_version=participant.version, actor=director
    )
    return {
        "municipality": municipality,
        "director": director,
        "participant": Participant.objects.get(pk=participant.pk),
    }


def every_stored_value():
    """Every value of every row of every model, read through the ORM (so encrypted fields are
    decrypted: a leftover encrypted copy is found too)."""
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.values_list(*names):
            yield model, " ".join(str(v) for v in row)


def hits(*needles):
    return [(m.__name__, text[:80]) for m, text in every_stored_value() for needle in needles if needle in text]


def test_erasure_leaves_no_trace_of_name_bsn_or_blind_index(client, world, assurance):
    participant, director = world["participant"], world["director"]
    client.force_login(director)
    client.get(reverse("participants:detail", args=[participant.uuid]))  # audited reads exist
    assert hits(NAME, BSN, blind_index(BSN))  # the scan finds them before
    uuid = str(participant.uuid)
    response = client.post(
        reverse("retention:erasure", args=[participant.uuid]),
        {"ground": ErasureGround.NOT_NEEDED, "decision_reference": "Z-2026-0042", "confirm": "on"},
    )
    assert response.status_code == 302
    remaining = hits(NAME, BSN, blind_index(BSN), "0698765432")
    assurance.add("H4 erasures checked")
    assurance.add("H4 remaining hits", len(remaining))
    assert remaining == []
    record = ErasureRecord.objects.get(participant_uuid=uuid)
    assert record.erased_by == director and record.decision_reference == "Z-2026-0042"
    assert record.rows_removed["participants.Participant"] == 1
    assert record.rows_removed["participants.ParticipantChange"] == 1
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_id=uuid).count() == 1


def test_a_file_with_a_trajectory_is_kept_unless_unlawfully_processed(world):
    participant, director = world["participant"], world["director"]
    enrollment_services.enrollment_enrol(
        participant=participant,
        programme=ProgrammeFactory(),
        actor=director,
        referred_by=world["municipality"],
        on=clock.today() - timedelta(days=3),
    )
    with pytest.raises(DomainError) as refused:
        services.participant_erase(participant=participant, actor=director, ground=ErasureGround.CONSENT_WITHDRAWN)
    assert refused.value.field == "ground" and "bewaartermijn" in refused.value.message
    assert Participant.objects.filter(pk=participant.pk).exists()
    services.participant_erase(participant=participant, actor=director, ground=ErasureGround.UNLAWFUL)
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert hits(NAME, BSN) == []


@given(ground=st.sampled_from(ErasureGround.values), enrollments=st.integers(0, 5))
def test_the_erasure_rule(ground, enrollments):
    refusal = rules.erasure_refusal(ground=ground, enrollment_count=enrollments)
    assert (refusal is None) == (ground == ErasureGround.UNLAWFUL or enrollments == 0)


def test_only_the_responsible_municipality_may_erase(client, world):
    participant = world["participant"]
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=participant, member=coach)
    client.force_login(coach)
    url = reverse("retention:erasure", args=[participant.uuid])
    assert client.post(url, {"ground": ErasureGround.UNLAWFUL, "confirm": "on"}).status_code == 403
    client.force_login(UserFactory(role=Role.DIRECTOR))  # another municipality
    assert client.post(url, {"ground": ErasureGround.UNLAWFUL, "confirm": "on"}).status_code == 404
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_without_confirmation_or_ground_nothing_is_erased(client, world):
    participant = world["participant"]
    client.force_login(world["director"])
    url = reverse("retention:erasure", args=[participant.uuid])
    response = client.post(url, {"ground": "iets-anders"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"ground", "confirm"}
    assert Participant.objects.filter(pk=participant.pk).exists()
