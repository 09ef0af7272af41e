"""Which studies a user sees: a requester's organisation's own, and those a privacy officer decides on."""

from django.db.models import QuerySet

from doorstroom.access import policy as access
from doorstroom.organisations.models import Role, User

from .models import Study


def studies_of(user: User) -> list[Study]:
    candidates: QuerySet[Study] = Study.objects.select_related("requested_by", "decided_by", "organisation")
    if access.may_request_study(user):
        return list(candidates.filter(organisation_id=user.organisation_id or 0))
    if user.role == Role.PRIVACY_OFFICER:
        return [s for s in candidates if access.study_deciders_allowed(user, s.requested_by)]
    return []


def study_for(user: User, study_uuid: str) -> Study | None:
    """The study when this user may see it; None (a 404) otherwise, also for a stranger's study."""
    return next((s for s in studies_of(user) if str(s.uuid) == str(study_uuid)), None)


def programmes_for_study(user: User) -> QuerySet:
    """Programmes a study may cover: those the requester reports on, never a sensitive one."""
    return access.programmes_reportable_by(user).filter(is_sensitive=False).order_by("name")
