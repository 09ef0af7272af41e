"""What the page shell needs to know about the user: which menu items lead somewhere."""

from django.conf import settings
from django.http import HttpRequest

from doorstroom.access import policy as access
from doorstroom.organisations.models import User


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"oidc_enabled": settings.DOORSTROOM_OIDC_ENABLED}
    return {
        "may_search": access.can_search(user),
        "may_report": user.role in access.REPORT_CASE_ROLES | access.REPORT_AGGREGATE_ROLES,
        "may_register": user.role in access.REGISTERING_ROLES,
        "may_import": access.may_import(user),
        "may_research": access.may_request_study(user) or user.role == "privacyfunctionaris",
        "has_caseload": user.role not in ("deelnemer", "beheerder"),
        "is_administrator": user.role == "beheerder",
        "may_break_glass": user.role in access.BREAK_GLASS_ROLES,
        "may_review_break_glass": user.role == "privacyfunctionaris",
        "may_manage_destruction": user.role == "archivaris",
        "may_reassign": user.role == "teamleider",
        "may_refer": user.role in access.REFERRAL_ROLES,
        "may_administer_users": access.may_administer_users(user),
        "may_hold_api_tokens": access.may_hold_api_tokens(user),
    }
