"""The audit log: append-only, hash-chained, protected by database triggers.

Rows hold no personal data: participants are referenced by their opaque UUID without a foreign key,
so erasure and purge never need to touch this table. Search terms are never stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Bekeken")
    SEARCH = "search", _("Gezocht")
    LIST = "list", _("Lijst bekeken")
    CHANGE = "change", _("Gewijzigd")
    CREATE = "create", _("Aangemaakt")
    EXPORT = "export", _("Geëxporteerd")
    PRINT = "print", _("Afgedrukt")
    DELETE = "delete", _("Vernietigd")


class AuditResult(models.TextChoices):
    ALLOWED = "allowed", _("Toegestaan")
    DENIED = "denied", _("Geweigerd")
    # a change that was allowed but not saved (refused by a rule, a conflict, or rolled back)
    NOT_SAVED = "not_saved", _("Niet opgeslagen")


class AuditEvent(models.Model):
    """One access to personal data (BIO 8.15.01 minimum fields plus NEN 7513-style context)."""

    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=30, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    on_behalf_of = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    result = models.CharField(max_length=10, choices=AuditResult.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=40, blank=True)
    legal_basis = models.CharField(max_length=40, blank=True)
    break_glass = models.BooleanField(default=False)
    channel = models.CharField(max_length=10)  # page, api, command
    route = models.CharField(max_length=100, blank=True)  # URL name, never the path or query
    origin = models.CharField(max_length=64, blank=True)  # client address
    subject_count = models.PositiveIntegerField(default=0)
    # what changed, for changes of who may do what (accounts, roles, regions): before and after,
    # never participant data; part of the chained content when present
    detail = models.JSONField(null=True, blank=True)
    #: the chain (lane) this row is linked into: concurrent writers append to different lanes, so
    #: one request's audit row never waits for another's (ADR 0021); each lane is a chain of its own
    lane = models.PositiveSmallIntegerField(default=1)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        indexes = [models.Index(fields=["lane", "id"], name="audit_lane_order")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    @property
    def what_happened(self) -> str:
        """The action in words; a change that was not saved never reads as "Gewijzigd"."""
        if self.result == AuditResult.NOT_SAVED:
            return str(_("Wijziging geprobeerd, niet opgeslagen"))
        if self.result == AuditResult.DENIED:
            return f"{self.get_action_display()} ({str(_('geweigerd'))})"
        return str(self.get_action_display())


class AuditSubject(models.Model):
    """Which participants one audit event concerned (a list page: all participants it showed)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    participant_uuid = models.CharField(max_length=36, db_index=True)

    class Meta:
        verbose_name = _("betrokkene bij auditregel")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.participant_uuid}"


class AuditChainHead(models.Model):
    """The last hash and length of one lane of the chain (the primary key is the lane number); its
    row lock serialises that lane's writers, and it reveals a cut-off tail."""

    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.length} regels, laatste {self.last_hash[:12]}"


class AuditFaultInjection(models.Model):
    """While a row exists here, the database refuses audit inserts (the fail-closed test, B3)."""

    reason = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.reason


class BreakGlassAccess(models.Model):
    """Emergency access to a file the user is not involved in: a reason, a time box, a review."""

    user = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey("participants.Participant", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reden"), max_length=1000)
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        "organisations.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("beoordeling"), blank=True, max_length=1000)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("noodtoegang")
        verbose_name_plural = _("noodtoegangen")

    def __str__(self) -> str:
        return f"noodtoegang {self.pk}"
