"""Erasing a file at the participant's request (AVG art. 17), where the law allows it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.core.errors import DomainError

from . import forms, services


@login_required
@require_http_methods(["GET", "POST"])
def participant_erasure(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The responsible municipality erases a whole file, on a ground the law accepts."""
    participant = access.require_controller(request.user, participant_uuid)
    form = forms.ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_erase(
                participant=participant,
                actor=request.user,
                ground=form.cleaned_data["ground"],
                decision_reference=form.cleaned_data["decision_reference"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Het dossier is gewist. Alleen de registratie dat het gewist is, blijft."))
            return redirect("home")
    return TemplateResponse(
        request,
        "retention/participant_erasure.html",
        {"form": form, "participant": participant, "enrollment_count": participant.enrollments.count()},
        status=400 if form.errors else 200,
    )
