"""Enrollments (inschrijvingen), their event history, and who is on the team around a participant."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import OutcomeType, Phase, Programme, ProgrammeGroup, reason_catalogue
from doorstroom.programmes.models import TeamRole as TeamRole  # the roles are the programme's, the team is ours

from . import rules


class EnrollmentState(models.TextChoices):
    REFERRED = rules.State.REFERRED.value, _("Aangemeld")
    INTAKE = rules.State.INTAKE.value, _("Intake")
    ACTIVE = rules.State.ACTIVE.value, _("Actief")
    PAUSED = rules.State.PAUSED.value, _("Gepauzeerd")
    COMPLETED = rules.State.COMPLETED.value, _("Afgerond")
    DROPPED_OUT = rules.State.DROPPED_OUT.value, _("Uitgevallen")
    NOT_STARTED = rules.State.NOT_STARTED.value, _("Niet gestart")
    TRANSFERRED = rules.State.TRANSFERRED.value, _("Overgedragen")
    CLOSED = rules.State.CLOSED.value, _("Administratief afgesloten")


class EventType(models.TextChoices):
    REFERRED = rules.EventType.REFERRED.value, _("Aangemeld")
    INTAKE_HELD = rules.EventType.INTAKE_HELD.value, _("Intake gehouden")
    STARTED = rules.EventType.STARTED.value, _("Gestart")
    PHASE_CHANGED = rules.EventType.PHASE_CHANGED.value, _("Naar andere fase")
    PAUSED = rules.EventType.PAUSED.value, _("Gepauzeerd")
    RESUMED = rules.EventType.RESUMED.value, _("Hervat")
    DROPPED_OUT = rules.EventType.DROPPED_OUT.value, _("Uitgevallen")
    NOT_STARTED = rules.EventType.NOT_STARTED.value, _("Niet gestart")
    COMPLETED = rules.EventType.COMPLETED.value, _("Afgerond")
    TRANSFERRED = rules.EventType.TRANSFERRED.value, _("Overgedragen")
    CLOSED = rules.EventType.CLOSED.value, _("Administratief afgesloten")
    CORRECTED = rules.EventType.CORRECTED.value, _("Gecorrigeerd")


#: What the button for each lifecycle step says.
ACTION_LABELS = {
    EventType.INTAKE_HELD: _("Intake registreren"),
    EventType.STARTED: _("Start registreren"),
    EventType.PHASE_CHANGED: _("Naar andere fase"),
    EventType.PAUSED: _("Pauzeren"),
    EventType.RESUMED: _("Hervatten"),
    EventType.DROPPED_OUT: _("Uitval registreren"),
    EventType.NOT_STARTED: _("Niet gestart"),
    EventType.COMPLETED: _("Afronden"),
    EventType.TRANSFERRED: _("Overdragen"),
    EventType.CLOSED: _("Administratief afsluiten"),
}


class Enrollment(PublicIdModel):
    """A participant in a programme. The state fields are a cache of the event replay, kept in step by
    the services in the same transaction. Reports read the course columns (ADR 0019) and the events only
    of enrollments with steps after their peildatum."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="enrollments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrollments")
    group = models.ForeignKey(
        ProgrammeGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="enrollments"
    )
    referred_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("aangemeld door")
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # projection (cache of rules.replay)
    state = models.CharField(max_length=30, choices=EnrollmentState.choices, db_index=True)
    current_phase = models.ForeignKey(Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    phase_entered_on = models.DateField(null=True, blank=True)
    paused_since = models.DateField(null=True, blank=True)
    paused_days_in_phase = models.PositiveIntegerField(default=0)
    referred_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    last_event_on = models.DateField(null=True, blank=True)
    last_event_type = models.CharField(max_length=30, choices=EventType.choices, blank=True)
    outcomes = models.JSONField(default=list, blank=True)
    # the course (ADR 0019): what reports count, so that a report need not read and fold the events
    intake_on = models.DateField(null=True, blank=True)
    ending_reason = models.CharField(max_length=30, blank=True)
    transfer_target = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    pauses = models.JSONField(default=list, blank=True)  # [[start, end or null, reason]]
    phase_stays = models.JSONField(default=list, blank=True)  # [[phase position or 0, from, until or null]]
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        indexes = [models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return f"{self.participant} – {self.programme}"

    @property
    def outcome_labels(self) -> list[str]:
        return [str(OutcomeType(code).label) for code in self.outcomes if code in OutcomeType.values]

    @property
    def is_open(self) -> bool:
        return self.state in {s.value for s in rules.OPEN_STATES}


class EnrollmentEvent(PublicIdModel):
    """One fact in an enrollment's history. Never edited or deleted: a wrong event is voided by a
    CORRECTED event that points at it."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    event_type = models.CharField(_("gebeurtenis"), max_length=30, choices=EventType.choices)
    occurred_on = models.DateField(_("datum"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = EncryptedTextField(_("toelichting"), blank=True, max_length=4000)  # encrypted at rest
    reason_code = models.CharField(_("reden"), max_length=30, blank=True)
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcomes = models.JSONField(_("resultaten"), default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    target_programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by"
    )

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} {self.occurred_on}"

    @property
    def reason_label(self) -> str:
        """The reason in words (from the reason catalogue, in the reader's language)."""
        if not self.reason_code:
            return ""
        return gettext(reason_catalogue().label(self.event_type, self.reason_code))


class TeamAssignment(PublicIdModel):
    """A professional in the team around a participant, for a period. Involvement in the access policy
    means an assignment that runs today."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="team")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("rol in het team"), max_length=20, choices=TeamRole.choices)
    starts_on = models.DateField(_("vanaf"))
    ends_on = models.DateField(_("tot en met"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("teamlid")
        verbose_name_plural = _("teamleden")
        indexes = [
            models.Index(fields=["member", "participant"], name="team_member_participant"),
            models.Index(fields=["organisation", "participant"], name="team_org_participant"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="team_assignment_period_valid",
            ),
            # never two open-ended directors; overlapping periods are refused by the service
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(role="regisseur", ends_on__isnull=True),
                name="one_open_director_per_participant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_role_display()})"


class EnrollmentTag(models.Model):
    """A context or mechanism of one enrollment, with when it was noted and, if it no longer applies,
    when it ended: history, never overwritten."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="tags")
    tag = models.ForeignKey("programmes.ContextTag", on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField(_("vanaf"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_on = models.DateField(_("tot"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["added_on", "id"]
        verbose_name = _("kenmerk van een traject")
        verbose_name_plural = _("kenmerken van trajecten")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "tag"], condition=models.Q(removed_on__isnull=True), name="one_live_tag"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.tag_id}"
