"""Programme templates designed without code: phases, norms, eligibility, outcomes and targets."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from doorstroom.core.models import PublicIdModel
from doorstroom.organisations.models import Organisation, OrganisationKind


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
