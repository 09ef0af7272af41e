"""Programme templates designed without code: phases, norms, eligibility, outcomes and targets."""

import time
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core import categories
from doorstroom.core.models import DataCategory, PublicIdModel
from doorstroom.organisations.models import Organisation, OrganisationKind

from .rules import REASONS


class OutcomeType(models.TextChoices):
    """Positive results an enrollment can end with; one enrollment can have several."""

    CERTIFICATE = "certificaat", _("Certificaat of diploma")
    START_QUALIFICATION = "startkwalificatie", _("Startkwalificatie")
    INTERNSHIP = "stage", _("Stage")
    WORK_EXPERIENCE = "werkervaringsplaats", _("Werkervaringsplaats")
    VOLUNTEERING = "vrijwilligerswerk", _("Vrijwilligerswerk")
    PAID_JOB = "betaald_werk", _("Betaald werk")
    EDUCATION_STARTED = "opleiding_gestart", _("Opleiding gestart")
    CIVIC_INTEGRATION_EXAM = "inburgeringsexamen", _("Inburgeringsexamen behaald")
    SELF_RELIANCE = "zelfredzaam", _("Voldoende zelfredzaam")
    STABILISED = "gestabiliseerd", _("Situatie stabiel")


class Programme(PublicIdModel):
    """A trajectory template. `municipality` empty means a shared template any municipality may use."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    description = models.TextField(_("omschrijving"), blank=True)
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("gemeente"),
    )
    is_active = models.BooleanField(_("in gebruik"), default=True)
    coaching_hours_per_week = models.DecimalField(
        _("begeleidingsuren per deelnemer per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    internship_hours_norm = models.PositiveIntegerField(_("norm stage-uren"), null=True, blank=True)
    aftercare_weeks = models.PositiveIntegerField(_("weken nazorg na start werk"), null=True, blank=True)
    requires_residence_permit = models.BooleanField(_("verblijfsvergunning vereist"), default=False)
    requires_civic_integration_duty = models.BooleanField(_("alleen voor inburgeringsplichtigen"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimumleeftijd"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximumleeftijd"), null=True, blank=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)
    is_sensitive = models.BooleanField(
        _("gevoelig programma"),
        default=False,
        help_text=_(
            "Aanzetten als deelname iets kan verraden over afkomst of gezondheid. Alleen wie in het team "
            "van de deelnemer zit, ziet dan dat iemand meedoet."
        ),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("bewaartermijn na afsluiten (jaren)"),
        default=10,
        help_text=_("Gemeentelijke cliëntdossiers worden gewoonlijk 10 jaar bewaard; stem af met de archivaris."),
    )
    monitored_from = models.DateField(
        _("gevolgd vanaf"),
        null=True,
        blank=True,
        help_text=_(
            "Trajecten die voor deze datum zijn afgesloten of sindsdien niet meer zijn bijgewerkt, geven "
            "geen signalen: zo zwijgt een ingelezen geschiedenis."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programma")
        verbose_name_plural = _("programma's")

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """One ordered step of a programme, with its expected duration and weekly hours."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(_("volgorde"))
    name = models.CharField(_("naam"), max_length=120)
    description = models.TextField(_("omschrijving"), blank=True)
    expected_weeks = models.PositiveSmallIntegerField(_("verwachte duur (weken)"), null=True, blank=True)
    hours_per_week_min = models.DecimalField(
        _("uren per week (minimaal)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    hours_per_week_max = models.DecimalField(
        _("uren per week (maximaal)"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("fase")
        verbose_name_plural = _("fasen")
        constraints = [models.UniqueConstraint(fields=["programme", "position"], name="phase_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ProgrammeGroup(models.Model):
    """A target group within a programme (e.g. by time in the Netherlands), chosen at enrolment."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("naam"), max_length=120)
    description = models.TextField(_("omschrijving"), blank=True)

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("doelgroep")
        verbose_name_plural = _("doelgroepen")

    def __str__(self) -> str:
        return self.name


class ProgrammeOutcome(models.Model):
    """An outcome this programme aims for, with an optional target share of participants."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="outcomes")
    outcome_type = models.CharField(_("uitkomst"), max_length=30, choices=OutcomeType.choices)
    target_percentage = models.PositiveSmallIntegerField(_("streefpercentage"), null=True, blank=True)

    class Meta:
        verbose_name = _("beoogde uitkomst")
        verbose_name_plural = _("beoogde uitkomsten")
        constraints = [models.UniqueConstraint(fields=["programme", "outcome_type"], name="programme_outcome_once")]

    def __str__(self) -> str:
        return self.get_outcome_type_display()


class TeamRole(models.TextChoices):
    """The part someone plays in the team around a participant (access follows the user's own
    role and organisation; this says who does what). Kept with the programme, because a programme
    says which data each part of the work needs."""

    DIRECTOR = "regisseur", _("Regisseur")
    COACH = "coach", _("Coach / begeleider")
    TEACHER = "docent", _("Docent")
    JOBCOACH = "jobcoach", _("Jobcoach")
    INTERMEDIARY = "intermediair", _("Intermediair")
    BUDDY = "maatje", _("Maatje (buddy)")


#: Team roles whose work can need data beyond identity and programme/phase (the director works for
#: the municipality, which processes everything as its statutory task).
NEED_TEAM_ROLES = (TeamRole.COACH, TeamRole.JOBCOACH, TeamRole.TEACHER, TeamRole.INTERMEDIARY, TeamRole.BUDDY)

#: Categories a programme can never make automatic: health and justice always need an explicit
#: decision of the municipality or the participant's consent (AVG art. 9 and 10).
NEVER_AUTOMATIC = ("gezondheid", "justitie")


class Statute(models.TextChoices):
    """The law whose statutory task makes the work, and so the data it needs, necessary."""

    PARTICIPATIEWET = "participatiewet", _("Participatiewet")
    WET_INBURGERING = "wet_inburgering", _("Wet inburgering 2021")
    WMO = "wmo", _("Wet maatschappelijke ondersteuning 2015")
    JEUGDWET = "jeugdwet", _("Jeugdwet")
    WGS = "wgs", _("Wet gemeentelijke schuldhulpverlening")


class DataNeedState(models.TextChoices):
    PROPOSED = "voorgesteld", _("Voorgesteld")
    APPROVED = "goedgekeurd", _("Goedgekeurd")
    REJECTED = "afgewezen", _("Afgewezen")
    WITHDRAWN = "ingetrokken", _("Ingetrokken")


class ProgrammeDataNeed(models.Model):
    """One category of data that one part of the work in a programme needs, for the participants of
    one municipality: proposed by the functional administrator, in effect only once the
    municipality's director or privacy officer approved it. While approved, someone who joins a
    participant's team in this role gets it as an ordinary sharing grant for their organisation."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="data_needs")
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
        verbose_name=_("gemeente"),
    )
    team_role = models.CharField(_("rol in het team"), max_length=20, choices=TeamRole.choices)
    category = models.CharField(_("soort gegevens"), max_length=20)
    statute = models.CharField(_("wettelijke taak"), max_length=20, choices=Statute.choices)
    reason = models.CharField(_("waarom het werk dit nodig heeft"), max_length=300)
    state = models.CharField(_("status"), max_length=12, choices=DataNeedState.choices, default=DataNeedState.PROPOSED)
    proposed_by = models.ForeignKey(
        "organisations.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("voorgesteld door")
    )
    proposed_at = models.DateTimeField(_("voorgesteld op"))
    decided_by = models.ForeignKey(
        "organisations.User",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("besloten door"),
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decision_note = models.CharField(_("toelichting bij het besluit"), max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "team_role", "category", "id"]
        verbose_name = _("gegevensbehoefte van een programma")
        verbose_name_plural = _("gegevensbehoeften van programma's")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category__in=NEVER_AUTOMATIC), name="data_need_never_health_or_justice"
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("proposed_by")),
                name="data_need_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["programme", "municipality", "team_role", "category"],
                condition=models.Q(state__in=["voorgesteld", "goedgekeurd"]),
                name="one_live_data_need",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.team_role} {self.category} ({self.state})"


class ReasonEvent(models.TextChoices):
    """The lifecycle steps that carry a reason (the values are the enrollment event types)."""

    NOT_STARTED = "niet_gestart", _("Niet gestart")
    DROPPED_OUT = "uitgevallen", _("Uitgevallen")
    PAUSED = "gepauzeerd", _("Gepauzeerd")
    TRANSFERRED = "overgedragen", _("Overgedragen")
    CLOSED = "administratief_afgesloten", _("Administratief afgesloten")
    COMPLETED = "afgerond", _("Afgerond")


#: A new reason is treated as the most protected category until someone decides what it says.
MOST_PROTECTED_CATEGORY = categories.JUSTICE


class ReasonCode(models.Model):
    """One reason a lifecycle step can give, as data: shared by every programme when `programme` is
    empty, or added for one programme in the admin. Its category says what the reason reveals (a
    pause for a detention is justice data wherever it is shown), so only a reader of that category
    sees it. Codes are never deleted while events use them; retire one by switching it off."""

    event_type = models.CharField(_("bij stap"), max_length=30, choices=ReasonEvent.choices)
    code = models.SlugField(_("code"), max_length=30)
    label = models.CharField(_("omschrijving"), max_length=120)
    category = models.CharField(
        _("soort gegevens"),
        max_length=20,
        choices=DataCategory.choices,
        default=MOST_PROTECTED_CATEGORY,
        help_text=_(
            "Wat de reden over iemand zegt. Een reden over gezondheid, schulden of justitie ziet alleen wie "
            "die gegevens mag zien. Een nieuwe reden staat op 'Justitie' tot iemand dit bewust kiest."
        ),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reason_codes",
        verbose_name=_("alleen voor programma"),
        help_text=_("Leeg: de reden geldt voor alle programma's."),
    )
    is_active = models.BooleanField(_("in gebruik"), default=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        ordering = ["event_type", "position", "label"]
        verbose_name = _("reden")
        verbose_name_plural = _("redenen")
        constraints = [
            models.UniqueConstraint(
                fields=["event_type", "code"], condition=models.Q(programme__isnull=True), name="shared_reason_once"
            ),
            models.UniqueConstraint(fields=["event_type", "code", "programme"], name="programme_reason_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()}: {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_reason_catalogue()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        result = super().delete(*args, **kwargs)
        forget_reason_catalogue()
        return result


@dataclass(frozen=True)
class Reason:
    event_type: str
    code: str
    label: str
    category: str
    programme_id: int | None
    is_active: bool


_RANK = {category: rank for rank, category in enumerate(categories.ALL)}


@dataclass(frozen=True)
class ReasonCatalogue:
    """All reasons at one moment, read in one query and kept for a minute (or until one is saved in
    this process): the redaction asks for a reason's category for every event it shows."""

    reasons: tuple[Reason, ...]

    def for_step(self, event_type: str, programme_id: int | None, *, active_only: bool = True) -> list[Reason]:
        """The shared reasons of a step plus the programme's own; a programme's reason with the same
        code as a shared one takes its place."""
        chosen: dict[str, Reason] = {}
        for reason in self.reasons:
            if reason.event_type != event_type or (active_only and not reason.is_active):
                continue
            if reason.programme_id is None:
                chosen.setdefault(reason.code, reason)
            elif reason.programme_id == programme_id:
                chosen[reason.code] = reason
        return list(chosen.values())

    def find(self, event_type: str, code: str, programme_id: int | None) -> Reason | None:
        return next((r for r in self.for_step(event_type, programme_id, active_only=False) if r.code == code), None)

    def category(self, event_type: str, code: str) -> str:
        """What a reason says, over every programme that uses the code (the most protected wins);
        a code nobody placed is treated as the most protected category."""
        found = [r.category for r in self.reasons if r.code == code and r.event_type == event_type]
        if not code:
            return categories.TRAJECTORY
        if not found:
            return MOST_PROTECTED_CATEGORY
        return max(found, key=lambda c: _RANK.get(c, len(_RANK)))

    def label(self, event_type: str, code: str, programme_id: int | None = None) -> str:
        reason = self.find(event_type, code, programme_id)
        if reason is None:
            reason = next((r for r in self.reasons if r.event_type == event_type and r.code == code), None)
        return reason.label if reason else code


_catalogue: tuple[float, ReasonCatalogue] | None = None
CATALOGUE_SECONDS = 60.0


def reason_catalogue() -> ReasonCatalogue:
    global _catalogue
    now = time.monotonic()
    if _catalogue is None or now - _catalogue[0] > CATALOGUE_SECONDS:
        rows = ReasonCode.objects.values_list("event_type", "code", "label", "category", "programme_id", "is_active")
        stored = [Reason(*row) for row in rows]
        placed = {(r.event_type, r.code) for r in stored if r.programme_id is None}
        # the shipped reasons are the base (a data migration also stores them, for the admin); a stored
        # shared row takes the place of the shipped one with the same step and code
        shipped = [
            Reason(step, code, str(label), category, None, True)
            for step, reasons in REASONS.items()
            for code, label, category in reasons
            if (step, code) not in placed
        ]
        _catalogue = (now, ReasonCatalogue(tuple(shipped + stored)))
    return _catalogue[1]


def forget_reason_catalogue() -> None:
    global _catalogue
    _catalogue = None


class ContextTag(models.Model):
    """A context or mechanism an enrollment can have (an intermediary involved, a home visit at the
    start, a buddy): data, extended in the admin. Reports compare outcomes with and without it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("omschrijving"), max_length=120)
    description = models.CharField(_("uitleg"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in gebruik"), default=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=100)

    class Meta:
        ordering = ["position", "label"]
        verbose_name = _("kenmerk van de werkwijze")
        verbose_name_plural = _("kenmerken van de werkwijze")

    def __str__(self) -> str:
        return self.label
