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
