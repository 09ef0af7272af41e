"""Reading referrals: whether the participant's consent still lets them go to an organisation,
and who at the receiving organisation can take the participant on."""

from datetime import date

from doorstroom.organisations.models import Organisation, Role, User
from doorstroom.participants.models import DataCategory, Participant, SharingGrant

from .models import Referral

#: What a referral shares with the receiving organisation before it answers: who the person is
#: and that they are referred (programme and phase). The participant's consent must cover it.
CONSENT_CATEGORY = DataCategory.TRAJECTORY


def consent_holds(participant: Participant, organisation: Organisation, today: date) -> bool:
    return SharingGrant.objects.filter(
        participant=participant,
        organisation=organisation,
        category=CONSENT_CATEGORY,
        granted_on__lte=today,
        withdrawn_on__isnull=True,
    ).exists()


def assignees_for(referral: Referral) -> list[User]:
    """Staff of the receiving organisation who can join the participant's team."""
    return list(
        User.objects.filter(
            is_active=True,
            organisation_id=referral.to_organisation_id,
            role__in=[Role.DIRECTOR, Role.COACH, Role.TEACHER, Role.JOBCOACH, Role.INTERMEDIARY, Role.TEAM_LEAD],
        ).order_by("last_name", "first_name")
    )
