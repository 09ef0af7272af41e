"""Break the glass: emergency read access with a mandatory reason, a three-hour time box, never the
closed categories, and a review by the privacy officer (assurance A8)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from doorstroom.core.crypto import blind_index
from doorstroom.core.errors import DomainError
from doorstroom.core.messages import _
from doorstroom.organisations.models import Role, User
from doorstroom.participants.models import Participant

from . import audit
from .models import AuditAction, AuditResult, BreakGlassAccess
from .policy import BREAK_GLASS_HOURS, BREAK_GLASS_ROLES, CLOSED_CATEGORIES, Category, served_municipality_ids

MIN_REASON = 20


def _municipalities_of(user: User) -> set[int]:
    served = served_municipality_ids(user)
    if user.organisation is not None and not user.organisation.is_municipality:
        served |= set(user.organisation.works_for.values_list("pk", flat=True))
    return served


class WhichMunicipality(DomainError):
    """The BSN has files in more than one municipality the user works for: the user must choose;
    one is never picked silently."""

    def __init__(self, municipalities: list[tuple[int, str]]) -> None:
        super().__init__(
            _("Dit BSN hoort bij dossiers in meer gemeenten waarvoor u werkt. Kies de gemeente van de noodsituatie."),
            field="municipality",
        )
        self.municipalities = municipalities


@transaction.atomic
def break_glass_open(*, user: User, bsn: str, reason: str, municipality_id: int | None = None) -> Participant:
    """Open one file, found by its full BSN within the municipalities the user's organisation serves
    (and, when there are files in several, the municipality the user chose)."""
    if user.role not in BREAK_GLASS_ROLES:
        raise DomainError(_("Uw rol kan geen noodtoegang gebruiken."), field="bsn")
    if len(reason.strip()) < MIN_REASON:
        raise DomainError(_("Beschrijf de noodsituatie (minstens %(count)s tekens).", count=MIN_REASON), field="reason")
    candidates = list(
        Participant.objects.filter(bsn_index=blind_index(bsn), municipality_id__in=_municipalities_of(user))
        .select_related("municipality")
        .order_by("municipality__name")
    )
    if municipality_id is not None:
        candidates = [p for p in candidates if p.municipality_id == municipality_id]
    if len(candidates) > 1:
        raise WhichMunicipality([(p.municipality_id, p.municipality.name) for p in candidates])
    participant = candidates[0] if candidates else None
    if participant is None:
        audit.record(
            user=user,
            action=AuditAction.READ,
            result=AuditResult.DENIED,
            object_type="break_glass",
            purpose="noodtoegang",
            break_glass=True,
        )
        raise DomainError(_("Geen deelnemer met dit BSN in de gemeenten waarvoor u werkt."), field="bsn")
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=user,
        participant=participant,
        reason=reason.strip(),
        started_at=now,
        expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
    )
    audit.record(
        user=user,
        action=AuditAction.READ,
        result=AuditResult.ALLOWED,
        object_type="break_glass",
        object_id=str(participant.uuid),
        participants=[str(participant.uuid)],
        categories=[c for c in Category if c not in CLOSED_CATEGORIES],
        purpose="noodtoegang",
        legal_basis="vitaal_belang",
        break_glass=True,
    )
    return participant


def break_glass_for_review(user: User):  # type: ignore[no-untyped-def]
    """The privacy officer's list: every emergency access, unreviewed first (no names, only ids)."""
    if user.role != Role.PRIVACY_OFFICER:
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.select_related("user", "user__organisation", "participant").order_by(
        "reviewed_at", "-started_at"
    )


@transaction.atomic
def break_glass_review(*, reviewer: User, access_id: int, note: str) -> BreakGlassAccess:
    if reviewer.role != Role.PRIVACY_OFFICER:
        raise DomainError(_("Alleen de privacyfunctionaris beoordeelt noodtoegang."), field="note")
    if not note.strip():
        raise DomainError(_("Schrijf uw beoordeling op."), field="note")
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access_id).first()
    if access is None:
        raise DomainError(_("Deze noodtoegang bestaat niet."), field="access")
    if access.reviewed_at is not None:
        raise DomainError(_("Deze noodtoegang is al beoordeeld."), field="note")
    access.reviewed_by, access.reviewed_at, access.review_note = reviewer, timezone.now(), note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    return access
