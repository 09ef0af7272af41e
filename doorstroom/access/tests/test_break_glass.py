"""A8: break the glass needs a reason, is time-boxed, is flagged for review, and never opens the
closed categories or allows changes."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

import pytest

from doorstroom.access import break_glass
from doorstroom.access import policy as access
from doorstroom.access.models import AuditEvent, BreakGlassAccess
from doorstroom.core.errors import DomainError
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
REASON = "Deelnemer belt in paniek, zijn coach is niet bereikbaar en er dreigt een huisuitzetting."


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    coach = UserFactory(role=Role.COACH, organisation=partner)
    participant = ParticipantFactory(municipality=municipality, bsn="123456782", given_name="Kanarie")
    return {"coach": coach, "participant": participant}


def test_all_four_properties(client, world, assurance):
    coach, participant = world["coach"], world["participant"]
    assert not access.can(coach, participant, access.Action.VIEW)
    with pytest.raises(DomainError) as short:  # 1. a reason is required
        break_glass.break_glass_open(user=coach, bsn="123456782", reason="nood")
    assert short.value.field == "reason"
    intermediary = UserFactory(role=Role.INTERMEDIARY)
    with pytest.raises(DomainError):
        break_glass.break_glass_open(user=intermediary, bsn="123456782", reason=REASON)

    client.force_login(coach)
    response = client.post(reverse("participants:break_glass"), {"bsn": "123456782", "reason": REASON})
    assert response.status_code == 302
    assert client.get(reverse("participants:detail", args=[participant.uuid])).status_code == 200
    row = AuditEvent.objects.filter(object_type="participant", object_id=str(participant.uuid)).latest("id")
    assert row.break_glass and row.purpose == "noodtoegang"  # 3. flagged, in the audit log too
    allowed = access.categories_allowed(coach, participant)
    assert "gezondheid" not in allowed and "justitie" not in allowed and "contact" in allowed  # 4. closed stay closed
    assert not access.can(coach, participant, access.Action.CHANGE)

    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    assert list(break_glass.break_glass_for_review(officer)) == list(BreakGlassAccess.objects.all())
    officer_client = client.__class__()
    officer_client.force_login(officer)
    assert REASON in officer_client.get(reverse("participants:break_glass_review")).content.decode()
    grant = BreakGlassAccess.objects.get()
    officer_client.post(reverse("participants:break_glass_review"), {"access": grant.pk, "note": "Terecht"})
    grant.refresh_from_db()
    assert grant.reviewed_by == officer

    BreakGlassAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # 2. time-boxed
    assert client.get(reverse("participants:detail", args=[participant.uuid])).status_code == 404
    assurance.add("A8 break-the-glass properties", 4)


def test_break_glass_finds_only_participants_of_served_municipalities(world):
    stranger = UserFactory(role=Role.COACH)
    with pytest.raises(DomainError) as error:
        break_glass.break_glass_open(user=stranger, bsn="123456782", reason=REASON)
    assert error.value.field == "bsn"
    assert not BreakGlassAccess.objects.exists()
