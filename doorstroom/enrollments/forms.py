"""Input shape for enrolment and lifecycle steps; the lifecycle rules live in rules.py."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doorstroom.core import clock
from doorstroom.core.forms import DateInput, Form
from doorstroom.organisations.models import Organisation, User
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import OutcomeType, Programme, ProgrammeGroup, ReasonEvent, reason_catalogue

from . import rules
from .models import Enrollment, EventType, TeamRole


class EnrolForm(Form):
    programme = forms.ModelChoiceField(label=_("Programma"), queryset=Programme.objects.none())
    group = forms.ModelChoiceField(
        label=_("Doelgroep"),
        queryset=ProgrammeGroup.objects.none(),
        required=False,
        help_text=_("Alleen bij programma's met doelgroepen."),
    )
    referred_by = forms.ModelChoiceField(
        label=_("Aangemeld door"),
        queryset=Organisation.objects.none(),
        help_text=_("De organisatie die de deelnemer aanmeldde."),
    )
    occurred_on = forms.DateField(label=_("Datum van aanmelding"), widget=DateInput(), initial=clock.today)
    note = forms.CharField(label=_("Toelichting"), widget=forms.Textarea, required=False, max_length=4000)

    def __init__(self, *args, programmes=None, referrers=None, notes_allowed=True, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not notes_allowed:
            del self.fields["note"]  # free text is contacts-and-notes data
        if referrers is not None:
            self.fields["referred_by"].queryset = referrers  # type: ignore[attr-defined]
        if programmes is not None:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
            self.fields["group"].queryset = ProgrammeGroup.objects.filter(  # type: ignore[attr-defined]
                programme__in=programmes
            ).select_related("programme")
            self.fields["group"].label_from_instance = lambda g: f"{g.programme.name}: {g.name}"  # type: ignore[attr-defined]


EVENT_DATE_LABELS = {
    EventType.INTAKE_HELD: _("Datum van de intake"),
    EventType.STARTED: _("Startdatum"),
    EventType.PHASE_CHANGED: _("Datum van de overgang"),
    EventType.PAUSED: _("Eerste dag van de pauze"),
    EventType.RESUMED: _("Datum van hervatten"),
    EventType.DROPPED_OUT: _("Datum van uitval"),
    EventType.NOT_STARTED: _("Datum van het besluit"),
    EventType.COMPLETED: _("Datum van afronding"),
    EventType.TRANSFERRED: _("Datum van overdracht"),
    EventType.CLOSED: _("Datum van afsluiten"),
}


class EventForm(Form):
    """A lifecycle step; which fields it has depends on the event type."""

    occurred_on = forms.DateField(label=_("Datum"), widget=DateInput(), initial=clock.today)
    note = forms.CharField(label=_("Toelichting"), widget=forms.Textarea, required=False, max_length=4000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(  # type: ignore[no-untyped-def]
        self,
        *args,
        event_type: str,
        enrollment: Enrollment,
        programmes=None,
        reason_allowed=None,
        notes_allowed=True,
        **kwargs,
    ):
        """`reason_allowed(code)` says whether the writer may record a reason of that code (a
        reason is data of the category its meaning says); without `notes_allowed` there is no
        note field (free text is contacts-and-notes data)."""
        super().__init__(*args, **kwargs)
        self.event_type = event_type
        self.fields["occurred_on"].label = EVENT_DATE_LABELS.get(EventType(event_type), _("Datum"))
        self.fields["version"].initial = enrollment.version
        if event_type in ReasonEvent.values and event_type != EventType.COMPLETED:
            reasons = reason_catalogue().for_step(event_type, enrollment.programme_id)
            self.fields["reason_code"] = forms.ChoiceField(
                label=_("Reden"),
                choices=[("", _("Kies een reden"))]
                + [
                    (r.code, gettext(r.label))
                    for r in reasons
                    if reason_allowed is None or reason_allowed(event_type, r.code)
                ],
                required=event_type in rules.REASON_REQUIRED,
                error_messages={"required": _("Kies een reden.")},
                help_text=_("Redenen over gezondheid, justitie of schulden kiest alleen wie die gegevens mag zien."),
            )
        if event_type in (EventType.STARTED, EventType.PHASE_CHANGED):
            self.fields["phase"] = forms.ModelChoiceField(
                label=_("Fase"),
                queryset=enrollment.programme.phases.order_by("position"),
                required=False,
                help_text=_(
                    "Leeg laten voor de volgende fase. Een fase overslaan of teruggaan kan alleen met een toelichting."
                ),
            )
        if event_type == EventType.COMPLETED:
            self.fields["outcomes"] = forms.MultipleChoiceField(
                label=_("Resultaten"),
                choices=OutcomeType.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Kies alle resultaten die de deelnemer heeft behaald."),
            )
            self.fields["without_follow_up"] = forms.BooleanField(
                label=_("Afgerond zonder vervolg"),
                required=False,
                help_text=_("Aanvinken als het traject is afgerond zonder een van de resultaten hierboven."),
            )
        if event_type == EventType.TRANSFERRED:
            self.fields["target_programme"] = forms.ModelChoiceField(
                label=_("Naar programma"), queryset=programmes if programmes is not None else Programme.objects.none()
            )
        if event_type in (EventType.DROPPED_OUT, EventType.NOT_STARTED, EventType.TRANSFERRED):
            self.fields["note"].help_text = _("Beschrijf kort wat er is gebeurd.")
        if not notes_allowed:
            del self.fields["note"]
        order = [
            "occurred_on",
            "phase",
            "reason_code",
            "outcomes",
            "without_follow_up",
            "target_programme",
            "note",
            "version",
        ]
        self.order_fields(order)
        self._link_descriptions()

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.event_type == EventType.COMPLETED and data.get("without_follow_up"):
            data["reason_code"] = rules.WITHOUT_FOLLOW_UP
        return data


class CorrectionForm(Form):
    event = forms.UUIDField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Waarom klopt deze gebeurtenis niet?"),
        widget=forms.Textarea,
        max_length=4000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamAssignmentForm(Form):
    member = forms.ModelChoiceField(label=_("Medewerker"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Rol in het team"), choices=TeamRole.choices, initial=TeamRole.COACH)
    starts_on = forms.DateField(label=_("Vanaf"), widget=DateInput(), initial=clock.today)

    def __init__(self, *args, candidates=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["member"].queryset = candidates  # type: ignore[attr-defined]
            self.fields["member"].label_from_instance = (  # type: ignore[attr-defined]
                lambda u: f"{u.get_full_name() or u.username} ({u.organisation}, {u.get_role_display()})"
            )


class DirectorHandoverForm(Form):
    new_director = forms.ModelChoiceField(label=_("Nieuwe regisseur"), queryset=User.objects.none())
    on = forms.DateField(
        label=_("Vanaf"),
        widget=DateInput(),
        initial=clock.today,
        help_text=_("De huidige regie stopt de dag ervoor. Geldt voor het hele huishouden."),
    )

    def __init__(self, *args, candidates=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["new_director"].queryset = candidates  # type: ignore[attr-defined]
            self.fields["new_director"].label_from_instance = (  # type: ignore[attr-defined]
                lambda u: f"{u.get_full_name() or u.username} ({u.organisation})"
            )


class CaseloadReassignForm(Form):
    leaving = forms.ModelChoiceField(label=_("Van wie gaat de caseload over?"), queryset=User.objects.none())
    taking_over = forms.ModelChoiceField(label=_("Wie neemt over?"), queryset=User.objects.none())
    on = forms.DateField(label=_("Vanaf"), widget=DateInput(), initial=clock.today)
    participants = forms.ModelMultipleChoiceField(
        label=_("Alleen deze deelnemers"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kiest u niemand, dan gaat de hele caseload over."),
    )

    def __init__(self, *args, colleagues=None, caseload=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name in ("leaving", "taking_over"):
            self.fields[name].queryset = colleagues  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]
        self.fields["participants"].queryset = caseload if caseload is not None else Participant.objects.none()  # type: ignore[attr-defined]
        self.fields["participants"].label_from_instance = lambda p: p.full_name  # type: ignore[attr-defined]
        self._link_descriptions()


class CaseloadFilterForm(Form):
    """Narrow and sort the caseload; every field optional, the choices from what the reader may see."""

    zoek = forms.CharField(label=_("Zoek op naam"), required=False, max_length=100)
    programma = forms.TypedChoiceField(label=_("Programma"), required=False, coerce=int, empty_value=None)
    fase = forms.TypedChoiceField(label=_("Fase"), required=False, coerce=int, empty_value=None)
    signaal = forms.ChoiceField(label=_("Signaal"), required=False)
    medewerker = forms.TypedChoiceField(label=_("Medewerker"), required=False, coerce=int, empty_value=None)
    sorteer = forms.ChoiceField(
        label=_("Sorteer op"),
        required=False,
        choices=[
            ("naam", _("Naam (A-Z)")),
            ("-naam", _("Naam (Z-A)")),
            ("langst_in_fase", _("Langst in de huidige fase")),
            ("langst_geen_stap", _("Langst geen stap gezet")),
        ],
    )

    def __init__(self, *args, programmes=(), phases=(), signal_rules=(), colleagues=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        self.fields["programma"].choices = everything + [(p.pk, p.name) for p in programmes]  # type: ignore[attr-defined]
        self.fields["fase"].choices = everything + [(ph.pk, f"{ph.programme.name}: {ph.name}") for ph in phases]  # type: ignore[attr-defined]
        self.fields["signaal"].choices = [("", _("Alle deelnemers")), *signal_rules]  # type: ignore[attr-defined]
        if colleagues:
            self.fields["medewerker"].choices = everything + [  # type: ignore[attr-defined]
                (c.pk, c.get_full_name() or c.username) for c in colleagues
            ]
        else:
            del self.fields["medewerker"]


class TagsForm(Form):
    tags = forms.MultipleChoiceField(
        label=_("Wat hoort bij de werkwijze van dit traject?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vink aan wat geldt; wat u uitvinkt, stopt op de gekozen datum. De geschiedenis blijft bewaard."),
    )
    on = forms.DateField(label=_("Vanaf"), widget=DateInput(), initial=clock.today)

    def __init__(self, *args, choices=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = choices  # type: ignore[attr-defined]
