"""Erasing a file at the participant's request (AVG art. 17), where the law allows it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError

from . import forms, selectors, services


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


@login_required
@require_http_methods(["GET", "POST"])
def destruction_lists(request: access.AuthenticatedRequest) -> HttpResponse:
    """The records manager's destruction lists, and drawing up a new one for a municipality."""
    municipalities = selectors.municipalities_for_destruction(request.user)
    if not municipalities.exists():
        raise PermissionDenied
    if request.method == "POST":
        municipality = municipalities.filter(pk=request.POST.get("municipality") or 0).first()
        if municipality is None:
            messages.error(request, _("Kies een gemeente."))
        else:
            try:
                made = services.destruction_list_create(
                    actor=request.user, municipality=municipality, today=clock.today()
                )
            except DomainError as error:
                messages.error(request, error.shown)
            else:
                messages.success(request, _("De lijst is opgesteld. Controleer haar en keur haar goed."))
                return redirect("retention:destruction_list", list_id=made.pk)
    return TemplateResponse(
        request,
        "retention/destruction_lists.html",
        {"lists": selectors.destruction_lists_of(request.user)[:100], "municipalities": municipalities},
    )


@login_required
@require_http_methods(["GET", "POST"])
def destruction_list_detail(request: access.AuthenticatedRequest, list_id: int) -> HttpResponse:
    """One list: every file on it, approval, and how the purge is run."""
    destruction_list = selectors.destruction_lists_of(request.user).filter(pk=list_id).first()
    if destruction_list is None:
        raise Http404
    if request.method == "POST":
        try:
            services.destruction_list_approve(destruction_list=destruction_list, actor=request.user)
        except DomainError as error:
            messages.error(request, error.shown)
        else:
            messages.success(request, _("De lijst is goedgekeurd. De vernietiging kan worden uitgevoerd."))
        return redirect("retention:destruction_list", list_id=destruction_list.pk)
    return TemplateResponse(
        request,
        "retention/destruction_list.html",
        {"destruction_list": destruction_list, "items": destruction_list.items.all()[:2000]},
    )
