"""Accounts: the second factor of a staff member, personal API tokens, and user administration
(every change of who may do what proposed by one user administrator and approved by another)."""

import hashlib
import re
import secrets
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from doorstroom.core import per_request, prepared
from doorstroom.core.errors import DomainError
from doorstroom.core.messages import _

from .models import (
    AccountChange,
    AccountChangeKind,
    AccountChangeState,
    ApiToken,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
)


def totp_device_to_confirm(user: User) -> TOTPDevice:
    """The authenticator-app device a user is setting up (created on first use, unconfirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)
    return device


def totp_device_confirm(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def recovery_codes_issue(user: User, count: int = 5) -> list[str]:
    """Fresh one-time recovery codes (the old ones stop working)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="Herstelcodes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def demo_totp_secret(user: User) -> str:
    """Ensure a confirmed authenticator device for a demo account; return its base32 secret."""
    import base64

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return base64.b32encode(device.bin_key).decode()


# --- user administration: two user administrators for every change of who may do what ------------


def account_snapshot(user: User | None) -> dict[str, Any]:
    """What an account change is about, as the audit chain keeps it before and after."""
    if user is None:
        return {}
    return {
        "username": user.username,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else "",
        "is_active": user.is_active,
        "second_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }


def region_snapshot(region: Region | None) -> dict[str, Any]:
    if region is None:
        return {}
    return {
        "region": region.name,
        "centre": region.centre.name,
        "executes_for": sorted(region.executes_for.values_list("name", flat=True)),
    }


def _require_user_administrator(actor: User) -> None:
    if actor.role != Role.USER_ADMINISTRATOR or not actor.is_active:
        raise DomainError(_("Alleen een gebruikersbeheerder kan dit doen."))


def _valid_username(username: str, *, field: str = "username") -> str:
    username = (username or "").strip()
    if not re.fullmatch(r"[\w.@+-]{3,150}", username):
        raise DomainError(
            _("Kies een gebruikersnaam van 3 tot 150 letters, cijfers of . @ + - _ (zonder spaties)."), field=field
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("Deze gebruikersnaam bestaat al."), field=field)
    return username


def _organisation(value: Any) -> Organisation:
    organisation = Organisation.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if organisation is None:
        raise DomainError(_("Kies een bestaande organisatie."), field="organisation")
    return organisation


def _role(value: Any) -> str:
    if value not in Role.values:
        raise DomainError(_("Kies een rol uit de lijst."), field="role")
    return str(value)


def _clean_values(kind: str, target: User | None, region: Region | None, values: dict[str, Any]) -> dict[str, Any]:
    """The requested values, checked and in plain form (ids, codes), per kind of change."""
    if kind == AccountChangeKind.CREATE:
        email = str(values.get("email") or "").strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise DomainError(_("Vul een e-mailadres in: daar komt de activatielink naartoe."), field="email")
        first, last = str(values.get("first_name") or "").strip(), str(values.get("last_name") or "").strip()
        if not last:
            raise DomainError(_("Vul de achternaam in."), field="last_name")
        return {
            "username": _valid_username(str(values.get("username") or "")),
            "first_name": first[:150],
            "last_name": last[:150],
            "email": email,
            "role": _role(values.get("role")),
            "organisation": _organisation(values.get("organisation")).pk,
        }
    if kind == AccountChangeKind.REGION:
        assert region is not None
        centre = _organisation(values.get("centre"))
        if not centre.is_municipality:
            raise DomainError(_("De centrumgemeente moet een gemeente zijn."), field="centre")
        ids = [int(v) for v in values.get("executes_for") or [] if str(v).isdigit()]
        municipalities = Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.MUNICIPALITY)
        if municipalities.count() != len(set(ids)):
            raise DomainError(_("Kies alleen gemeenten."), field="executes_for")
        return {"centre": centre.pk, "executes_for": sorted(set(ids))}
    assert target is not None
    if kind == AccountChangeKind.ROLE:
        role = _role(values.get("role"))
        if role == target.role:
            raise DomainError(_("Dit is al de rol van dit account."), field="role")
        return {"role": role}
    if kind == AccountChangeKind.ORGANISATION:
        organisation = _organisation(values.get("organisation"))
        if organisation.pk == target.organisation_id:
            raise DomainError(_("Dit account hoort al bij deze organisatie."), field="organisation")
        return {"organisation": organisation.pk}
    if kind == AccountChangeKind.USERNAME:
        return {"username": _valid_username(str(values.get("username") or ""))}
    if kind == AccountChangeKind.SECOND_FACTOR:
        return {}
    raise DomainError(_("Onbekende soort wijziging."), field="kind")


@transaction.atomic
def account_change_propose(
    *, actor: User, kind: str, values: dict[str, Any], target: User | None = None, region: Region | None = None
) -> AccountChange:
    """One user administrator proposes a change; nothing changes until another approves it.
    Nobody proposes a change to their own account."""
    _require_user_administrator(actor)
    if kind not in AccountChangeKind.values:
        raise DomainError(_("Onbekende soort wijziging."), field="kind")
    needs_target = kind not in (AccountChangeKind.CREATE, AccountChangeKind.REGION)
    if needs_target and target is None:
        raise DomainError(_("Kies het account."), field="target")
    if kind == AccountChangeKind.REGION and region is None:
        raise DomainError(_("Kies de regio."), field="region")
    if target is not None and target.pk == actor.pk:
        raise DomainError(_("U kunt geen wijziging aan uw eigen account voorstellen."), field="target")
    clean = _clean_values(kind, target, region, values)
    pending = AccountChange.objects.filter(kind=kind, state=AccountChangeState.PROPOSED)
    if (target is not None and pending.filter(target=target).exists()) or (
        region is not None and pending.filter(region=region).exists()
    ):
        raise DomainError(_("Er staat al een voorstel van deze soort open; handel dat eerst af."), field="kind")
    return AccountChange.objects.create(
        kind=kind,
        target=target,
        region=region,
        values=clean,
        before=region_snapshot(region) if region is not None else account_snapshot(target),
        proposed_by=actor,
    )


@transaction.atomic
def account_change_decide(*, actor: User, change: AccountChange, approve: bool) -> AccountChange:
    """A second user administrator approves (the change is carried out now) or rejects. The one who
    proposed it, and the account it is about, cannot decide (also a database constraint)."""
    _require_user_administrator(actor)
    locked = AccountChange.objects.select_for_update().get(pk=change.pk)
    if locked.state != AccountChangeState.PROPOSED:
        raise DomainError(_("Over dit voorstel is al besloten."), field="state", code="conflict")
    if locked.proposed_by_id == actor.pk:
        raise DomainError(_("Een andere gebruikersbeheerder moet dit voorstel goedkeuren."), field="state")
    if locked.target_id is not None and locked.target_id == actor.pk:
        raise DomainError(_("U kunt niet beslissen over uw eigen account."), field="state")
    if approve:
        _carry_out(locked)
    locked.state = AccountChangeState.APPROVED if approve else AccountChangeState.REJECTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_by", "decided_at", "target"])
    return locked


def _carry_out(change: AccountChange) -> None:
    values = change.values
    if change.kind == AccountChangeKind.CREATE:
        user = User(
            username=_valid_username(values["username"]),
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            role=values["role"],
            organisation_id=values["organisation"],
        )
        user.set_unusable_password()  # credentials only through the activation link
        user.save()
        change.target = user
        return
    if change.kind == AccountChangeKind.REGION:
        region = Region.objects.select_for_update().get(pk=int(change.region_id or 0))
        region.centre_id = values["centre"]
        region.save(update_fields=["centre"])
        region.executes_for.set(values["executes_for"])
        per_request.forget()  # whom a municipality serves changed: access decisions ask again
        return
    target = User.objects.select_for_update().get(pk=int(change.target_id or 0))
    if change.kind == AccountChangeKind.ROLE:
        target.role = values["role"]
        target.save(update_fields=["role"])
        credentials_revoke(target)  # a new role starts with a fresh login and new tokens
    elif change.kind == AccountChangeKind.ORGANISATION:
        target.organisation_id = values["organisation"]
        target.save(update_fields=["organisation"])
        credentials_revoke(target)
    elif change.kind == AccountChangeKind.USERNAME:
        target.username = _valid_username(values["username"])
        target.save(update_fields=["username"])
    elif change.kind == AccountChangeKind.SECOND_FACTOR:
        TOTPDevice.objects.filter(user=target).delete()
        StaticDevice.objects.filter(user=target).delete()
        credentials_revoke(target)


def sessions_end(user: User) -> int:
    """Log the user out everywhere: every stored session of this account goes."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            store(session_key=session.session_key).delete()  # the engine's own delete: a cached copy goes too
            ended += 1
    return ended


def credentials_revoke(user: User) -> None:
    """End every session and personal API token of the account (deactivation, a new role)."""
    sessions_end(user)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def account_deactivate(*, actor: User, target: User) -> dict[str, Any]:
    """Deactivation needs one user administrator and takes effect at once (sessions and tokens
    end now). Returns the account as it was."""
    _require_user_administrator(actor)
    if target.pk == actor.pk:
        raise DomainError(_("U kunt uw eigen account niet uitzetten."), field="target")
    before = account_snapshot(target)
    User.objects.filter(pk=target.pk).update(is_active=False)
    credentials_revoke(target)
    return before


# --- personal API tokens -------------------------------------------------------------------------

TOKEN_PREFIX = "ds_"


def _token_hash(raw: str) -> str:
    """Tokens are long random secrets: a plain SHA-256 is enough to never keep them readable."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal token: returns the row and the token itself, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Geef het token een naam, bijvoorbeeld het systeem dat het gebruikt."), field="name")
    if len(name) > 60:
        raise DomainError(_("Houd de naam korter dan %(limit)s tekens.", limit=60), field="name")
    if not user.is_active or user.role == Role.PARTICIPANT:
        raise DomainError(_("Dit account kan geen API-tokens hebben."), field="name")
    term = days if days is not None else settings.DOORSTROOM_API_TOKEN_DAYS
    if not 1 <= term <= settings.DOORSTROOM_API_TOKEN_DAYS:
        raise DomainError(
            _("Kies een looptijd van 1 tot %(days)s dagen.", days=settings.DOORSTROOM_API_TOKEN_DAYS), field="days"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=_token_hash(raw),
        expires_at=timezone.now() + timedelta(days=term),
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _tokens_by_hash(hashes: list[str]) -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "user__organisation").filter(key_hash__in=hashes)


def api_token_user(raw: str) -> User | None:
    """The active account of a valid token (not expired, not revoked), or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    # compiled once (`core.prepared`): every API request asks; revocation and expiry are decided
    # here on the row, as of this request
    found = prepared.instances("organisations.api_token", _tokens_by_hash, [_token_hash(raw)])
    token = found[0] if found else None
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at) > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
