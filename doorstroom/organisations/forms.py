"""Input shape for user administration and personal API tokens; the rules live in services."""

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import AccessibleFormMixin, Form

from .models import Organisation, Role


class AccountCreateForm(Form):
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    first_name = forms.CharField(label=_("Voornaam"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    email = forms.EmailField(
        label=_("E-mailadres"), help_text=_("Hier komt de activatielink naartoe; wij maken nooit een wachtwoord.")
    )
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class RoleForm(Form):
    role = forms.ChoiceField(label=_("Nieuwe rol"), choices=Role.choices)


class OrganisationForm(Form):
    organisation = forms.ModelChoiceField(label=_("Nieuwe organisatie"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class UsernameForm(Form):
    username = forms.CharField(label=_("Nieuwe gebruikersnaam"), max_length=150)


class RegionForm(Form):
    centre = forms.ModelChoiceField(label=_("Centrumgemeente"), queryset=Organisation.objects.none())
    executes_for = forms.ModelMultipleChoiceField(
        label=_("De centrumgemeente voert uit voor"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen de deelnemers van deze gemeenten ziet de centrumgemeente."),
    )

    def __init__(self, *args: Any, municipalities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["centre"].queryset = municipalities  # type: ignore[attr-defined]
            self.fields["executes_for"].queryset = municipalities  # type: ignore[attr-defined]
        self._link_descriptions()


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Naam van het token"),
        max_length=60,
        help_text=_("Bijvoorbeeld het systeem dat het token gebruikt, zodat u het later herkent."),
    )
    days = forms.IntegerField(label=_("Geldig (dagen)"), min_value=1, initial=90)

    def __init__(self, *args: Any, maximum: int = 90, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days: forms.IntegerField = self.fields["days"]  # type: ignore[assignment]
        days.max_value = maximum
        days.initial = maximum
        days.help_text = _("Hoogstens %(days)s dagen.") % {"days": maximum}
        days.validators.append(forms.IntegerField(max_value=maximum).validators[-1])
        self._link_descriptions()


class ActivationForm(AccessibleFormMixin, SetPasswordForm):  # type: ignore[misc]
    """The new account holder chooses their own password (Django's password rules)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Kies een wachtwoord")
        self.fields["new_password2"].label = _("Herhaal het wachtwoord")
        self._link_descriptions()
