"""Reads for user administration: accounts, regions and the proposals waiting for a second pair
of eyes. No case content: an account is a member of staff (or a participant's login), never a file."""

from django.db.models import QuerySet

from .models import AccountChange, AccountChangeState, ApiToken, Organisation, Region, User


def accounts() -> QuerySet[User]:
    return User.objects.select_related("organisation").order_by("organisation__name", "last_name", "username")


def account_by_id(user_id: int) -> User | None:
    return accounts().filter(pk=user_id).first()


def regions() -> QuerySet[Region]:
    return Region.objects.select_related("centre").prefetch_related("executes_for", "members").order_by("name")


def region_by_id(region_id: int) -> Region | None:
    return regions().filter(pk=region_id).first()


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind="gemeente").order_by("name")


def pending_changes() -> QuerySet[AccountChange]:
    return AccountChange.objects.filter(state=AccountChangeState.PROPOSED).select_related(
        "target", "region", "proposed_by"
    )


def change_by_uuid(change_uuid: str) -> AccountChange | None:
    return AccountChange.objects.filter(uuid=change_uuid).select_related("target", "region", "proposed_by").first()


def recent_changes(limit: int = 50) -> QuerySet[AccountChange]:
    return AccountChange.objects.exclude(state=AccountChangeState.PROPOSED).select_related(
        "target", "region", "proposed_by", "decided_by"
    )[:limit]


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_of(user: User, token_uuid: str) -> ApiToken | None:
    return tokens_of(user).filter(uuid=token_uuid).first()
