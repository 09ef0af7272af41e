"""Contact moments: the participant's contacts and guidance hours against the norm, and recording
a contact (in place from the caseload with HTMX, or as a full page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError

from . import forms, selectors, services


@login_required
def contacts_overview(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(request.user, participant_uuid, access.Action.VIEW, access.Category.NOTES)
    changeable = access.categories_allowed(request.user, participant, access.Action.CHANGE)
    return TemplateResponse(
        request,
        "contacts/overview.html",
        {
            "participant": participant,
            "hours": selectors.weekly_hours(participant=participant, today=clock.today()),
            "contacts": selectors.contacts_of(participant)[:200],
            "form": forms.ContactForm() if access.Category.NOTES in changeable else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.NOTES
    )
    form = forms.ContactForm(request.POST or None)
    if request.htmx and request.method == "GET":
        form.fields["kind"].widget.attrs["autofocus"] = True
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_record(participant=participant, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if request.htmx:
                return TemplateResponse(request, "contacts/quick_form.html#saved", {"participant": participant})
            messages.success(request, _("Het contact is opgeslagen."))
            return redirect("contacts:overview", participant_uuid=participant.uuid)
    context = {"participant": participant, "form": form}
    if request.htmx:
        return TemplateResponse(request, "contacts/quick_form.html#quick-form", context)
    return TemplateResponse(request, "contacts/quick_form.html", context, status=400 if form.errors else 200)
