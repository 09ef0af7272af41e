"""Referral pages: refer a participant to another organisation; the receiving organisation's
inbox and answer; withdrawing an unanswered referral."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import clock
from doorstroom.core.errors import DomainError

from . import forms, rules, selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.TRAJECTORY
    )
    organisations = access.organisations_visible_to(request.user).exclude(pk=request.user.organisation_id or 0)
    form = forms.ReferralForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_create(
                participant=participant,
                actor=request.user,
                to_organisation=form.cleaned_data["to_organisation"],
                reason=form.cleaned_data["reason"],
                today=clock.today(),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De aanmelding is verstuurd."))
            return redirect("participants:detail", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "referrals/referral_form.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def referral_inbox(request: access.AuthenticatedRequest) -> HttpResponse:
    """Referrals to the user's organisation (open ones first) and those it made."""
    received = list(access.referrals_received_by(request.user).order_by("-created_at", "-id")[:200])
    received.sort(key=lambda r: r.state != rules.PENDING)
    sent = list(access.referrals_sent_by(request.user).order_by("-created_at", "-id")[:200])
    access.record_list(request.user, [r.participant for r in [*received, *sent]], object_type="referral_inbox")
    return TemplateResponse(
        request, "referrals/referral_inbox.html", {"received": received, "sent": sent, "nav": "referrals"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_decide(request: access.AuthenticatedRequest, referral_uuid: str) -> HttpResponse:
    action = access.Action.CHANGE if request.method == "POST" else access.Action.VIEW
    referral = access.require_referral(request.user, referral_uuid, action)
    assignees = [u for u in selectors.assignees_for(referral) if u.pk != request.user.pk]
    form = forms.DecisionForm(request.POST or None, assignees=assignees)
    if request.method == "POST" and form.is_valid():
        chosen = next((u for u in assignees if u.pk == form.cleaned_data["assigned_to"]), None)
        try:
            services.referral_decide(
                referral=referral,
                actor=request.user,
                accept=form.cleaned_data["decision"] == "accepteren",
                today=clock.today(),
                assignee=chosen,
                decline_reason=form.cleaned_data["decline_reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Uw antwoord op de aanmelding is opgeslagen."))
            return redirect("referrals:inbox")
    return TemplateResponse(
        request,
        "referrals/referral_decide.html",
        {
            "referral": redaction.referral_shown(request.user, referral),
            "form": form if referral.state == rules.PENDING else None,
            "nav": "referrals",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def referral_withdraw(request: access.AuthenticatedRequest, referral_uuid: str) -> HttpResponse:
    referral = access.require_referral(request.user, referral_uuid, access.Action.CHANGE, sent=True)
    try:
        services.referral_withdraw(referral=referral, actor=request.user)
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("De aanmelding is ingetrokken."))
    return redirect("referrals:inbox")
