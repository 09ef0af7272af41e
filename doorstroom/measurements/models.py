"""Measurements (metingen): instruments with versioned scales, and per participant a history of
baseline and follow-up measurements. A measurement is never edited: a correction is a new
measurement that replaces an earlier one, and both stay.

Only scores and short notes are stored, never the texts of copyrighted instruments (ZRM,
Positieve Gezondheid); the item labels are our own short names."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doorstroom.core.fields import EncryptedTextField
from doorstroom.core.models import PublicIdModel
from doorstroom.participants.models import DataCategory, Participant

from . import rules


class InstrumentKind(models.TextChoices):
    LANGUAGE = "taalniveau", _("Taalniveau per vaardigheid (ERK)")
    LADDER = "participatieladder", _("Participatieladder")
    ZRM = "zrm", _("Zelfredzaamheid-Matrix")
    POSITIVE_HEALTH = "positieve_gezondheid", _("Positieve Gezondheid")
    TALENTSCAN = "talentscan", _("Talentscan")
    BARRIERS = "belemmeringen", _("Belemmeringen")


class MeasurementType(PublicIdModel):
    """An instrument as the municipality uses it; its scales are versioned (ScaleVersion)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    kind = models.CharField(_("soort"), max_length=30, choices=InstrumentKind.choices)
    description = models.TextField(_("uitleg"), blank=True)
    is_active = models.BooleanField(_("in gebruik"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("meetinstrument")
        verbose_name_plural = _("meetinstrumenten")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language (shipped instruments are in the catalogue)."""
        return gettext(self.name)

    @property
    def display_description(self) -> str:
        return gettext(self.description) if self.description else ""

    def current_scale(self) -> "ScaleVersion | None":
        return self.scales.filter(is_current=True).first()


class ScaleVersion(models.Model):
    """The items and the range of one version of an instrument. Scores are only compared within a
    version (ZRM 2013 and 2017 have different domains)."""

    measurement_type = models.ForeignKey(MeasurementType, on_delete=models.PROTECT, related_name="scales")
    version = models.CharField(_("versie"), max_length=30)
    items = models.JSONField(_("onderdelen"), help_text=_("[{code, label, min, max, category, required}]"))
    value_labels = models.JSONField(_("betekenis van de waarden"), default=dict, blank=True)
    is_current = models.BooleanField(_("huidige versie"), default=True)

    class Meta:
        ordering = ["measurement_type", "version"]
        verbose_name = _("schaalversie")
        verbose_name_plural = _("schaalversies")
        constraints = [
            models.UniqueConstraint(fields=["measurement_type", "version"], name="one_scale_per_version"),
            models.UniqueConstraint(
                fields=["measurement_type"], condition=models.Q(is_current=True), name="one_current_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measurement_type} {self.version}"

    def scale_items(self) -> list[rules.Item]:
        return [
            rules.Item(
                code=str(i["code"]),
                label=gettext(str(i["label"])),
                minimum=int(i["min"]),
                maximum=int(i["max"]),
                category=str(i.get("category", DataCategory.MEASUREMENTS)),
                required=bool(i.get("required", False)),
            )
            for i in self.items
        ]

    def value_label(self, value: int | None, item: str = "") -> str:
        """What a value means, e.g. 3 → "B1" or "Beperkt zelfredzaam"; an item may carry its own labels."""
        if value is None:
            return "—"
        own = next((i.get("labels") for i in self.items if i["code"] == item and i.get("labels")), None)
        label = (own or self.value_labels).get(str(value))
        return gettext(str(label)) if label else str(value)


class Moment(models.TextChoices):
    BASELINE = rules.BASELINE, _("Nulmeting")
    FOLLOW_UP = rules.FOLLOW_UP, _("Vervolgmeting")
    FINAL = rules.FINAL, _("Eindmeting")


class LanguageSource(models.TextChoices):
    EXAM = "inburgeringsexamen", _("Inburgeringsexamen")
    STATE_EXAM = "staatsexamen_nt2", _("Staatsexamen NT2")
    TEST = "taaltoets", _("Taaltoets")
    TEACHER = "docent", _("Inschatting van de docent")
    DIPLOMA = "diploma", _("Diploma")


class Measurement(PublicIdModel):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="measurements")
    scale = models.ForeignKey(ScaleVersion, on_delete=models.PROTECT, related_name="measurements")
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    measured_on = models.DateField(_("datum van de meting"))
    source = models.CharField(_("bron"), max_length=30, choices=LanguageSource.choices, blank=True)
    note = EncryptedTextField(_("toelichting"), blank=True)
    override_reason = models.CharField(
        _("reden voor een andere trede"),
        max_length=300,
        blank=True,
        help_text=_("Alleen als de trede met de hand is gekozen in plaats van uit de antwoorden."),
    )
    corrects = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="corrected_by"
    )
    correction_reason = models.CharField(_("reden van de correctie"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measured_on", "id"]
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        indexes = [models.Index(fields=["participant", "scale", "measured_on"], name="measurement_lookup")]

    def __str__(self) -> str:
        return f"{self.scale} {self.get_moment_display()} {self.measured_on}"


class MeasurementScore(models.Model):
    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="scores")
    item = models.CharField(_("onderdeel"), max_length=40)
    value = models.SmallIntegerField(_("score"), null=True, blank=True)

    class Meta:
        ordering = ["measurement", "id"]
        constraints = [models.UniqueConstraint(fields=["measurement", "item"], name="one_score_per_item")]

    def __str__(self) -> str:
        return f"{self.item}={self.value}"


class ScoreSeries(models.Model):
    """One participant's scores on one item of an instrument, folded: the first and the last score
    (packed with their date, see `series.score_key`), how many, and the date of the last. A cache of
    the scores kept by every writer (`series.series_refresh`), read by the reports only; it holds
    what the measurements hold, so it goes with them (an access request shows the measurements)."""

    #: on PostgreSQL the foreign key's own index is dropped (migration 0007): the covering unique index
    #: below is led by the participant, and with both the planner read the series from the table
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    instrument = models.CharField(max_length=30)
    item = models.CharField(max_length=40)
    first_key = models.BigIntegerField()
    last_key = models.BigIntegerField()
    measured = models.PositiveIntegerField()
    last_on = models.DateField()

    class Meta:
        constraints = [
            # with the figures in the index, a report reads a cohort's series from the index alone
            models.UniqueConstraint(
                fields=["participant", "instrument", "item"],
                include=["first_key", "last_key", "measured", "last_on"],
                name="one_series_per_item",
            )
        ]
        indexes = [models.Index(fields=["last_on", "participant"], name="series_measured_lately")]  # index only

    def __str__(self) -> str:
        return f"{self.instrument}/{self.item}"


class ScreeningInstrument(models.TextChoices):
    TAALMETER_1F = "taalmeter_1f", _("Taalmeter 1F")
    TAALMETER_2F = "taalmeter_2f", _("Taalmeter 2F")
    TAALVERKENNER = "taalverkenner", _("Taalverkenner")


class ScreeningOutcome(models.TextChoices):
    POSSIBLE_PROBLEM = "mogelijk_probleem", _("Mogelijk een leesprobleem")
    NO_SIGNAL = "geen_signaal", _("Geen signaal")


class LanguageScreening(PublicIdModel):
    """A reading screening such as the Taalmeter: a signal, not a language level, and kept apart
    from the CEFR levels on purpose."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="screenings")
    instrument = models.CharField(_("instrument"), max_length=20, choices=ScreeningInstrument.choices)
    screened_on = models.DateField(_("datum"))
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=ScreeningOutcome.choices)
    referred_to = models.CharField(_("doorverwezen naar"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["screened_on", "id"]
        verbose_name = _("taalscreening")
        verbose_name_plural = _("taalscreenings")

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} {self.screened_on}"


def scores_of(measurement: Measurement) -> dict[str, Any]:
    return {score.item: score.value for score in measurement.scores.all()}
