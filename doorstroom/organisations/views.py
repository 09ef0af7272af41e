"""User administration (two user administrators for every change of who may do what), account
activation by a one-time link, and the personal API tokens page. No case content here."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.core.errors import DomainError

from . import forms, selectors, services
from .models import AccountChange, AccountChangeKind, User


def _send_activation(request: Any, user: User) -> None:
    """A one-time link to choose a password, valid 72 hours (Django's token: it stops working once
    the password is set)."""
    link = request.build_absolute_uri(
        reverse(
            "organisations:activate",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
        )
    )
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        _("Uw account voor Doorstroom"),
        _(
            "Beste %(name)s,\n\nEr is een account voor u gemaakt in Doorstroom (gebruikersnaam: %(username)s).\n"
            "Kies uw wachtwoord via deze link. De link werkt één keer en is %(hours)s uur geldig:\n\n%(link)s\n\n"
            "Heeft u dit niet verwacht? Dan hoeft u niets te doen."
        )
        % {"name": user.get_full_name() or user.username, "username": user.username, "hours": hours, "link": link},
        None,
        [user.email],
    )


def _record(user: User, change: AccountChange, before: dict[str, Any], after: dict[str, Any]) -> None:
    target = f"region:{change.region_id}" if change.region_id else str(change.target_id or "")
    access.record_account_change(
        user,
        object_type="region" if change.region_id else "account",
        object_id=target,
        what=f"{change.kind}:{change.state}",
        before=before,
        after=after,
        by=[change.proposed_by.username, user.username],
    )


@login_required
def accounts_overview(request: access.AuthenticatedRequest) -> HttpResponse:
    access.require_user_administrator(request.user)
    return TemplateResponse(
        request,
        "organisations/accounts.html",
        {
            "accounts": selectors.accounts()[:500],
            "pending": selectors.pending_changes(),
            "recent": selectors.recent_changes(),
            "regions": selectors.regions(),
            "nav": "accounts",
        },
    )


def _propose(request: Any, kind: str, values: dict[str, Any], *, target: Any = None, region: Any = None) -> Any:
    with transaction.atomic():  # the proposal and its audit row, or neither
        change = services.account_change_propose(
            actor=request.user, kind=kind, values=values, target=target, region=region
        )
        access.record_account_change(
            request.user,
            object_type="region" if region is not None else "account",
            object_id=f"region:{region.pk}" if region is not None else str(getattr(target, "pk", "") or ""),
            what=f"{kind}:voorgesteld",
            before=change.before,
            after=change.values,
            by=[request.user.username],
        )
    messages.success(request, _("Het voorstel staat klaar. Een andere gebruikersbeheerder moet het goedkeuren."))
    return change


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: access.AuthenticatedRequest) -> HttpResponse:
    access.require_user_administrator(request.user)
    form = forms.AccountCreateForm(request.POST or None, organisations=selectors.organisations())
    if request.method == "POST" and form.is_valid():
        values = {**form.cleaned_data, "organisation": form.cleaned_data["organisation"].pk}
        try:
            _propose(request, AccountChangeKind.CREATE, values)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("organisations:accounts")
    return TemplateResponse(
        request,
        "organisations/form.html",
        {"form": form, "title": _("Nieuw account voorstellen"), "nav": "accounts"},
        status=400 if form.errors else 200,
    )


ACCOUNT_FORMS: dict[str, Any] = {
    AccountChangeKind.ROLE: forms.RoleForm,
    AccountChangeKind.ORGANISATION: forms.OrganisationForm,
    AccountChangeKind.USERNAME: forms.UsernameForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request: access.AuthenticatedRequest, user_id: int) -> HttpResponse:
    """One account: propose a new role, organisation, username or second factor (two user
    administrators), deactivate at once, or send a new activation link."""
    access.require_user_administrator(request.user)
    account = selectors.account_by_id(user_id)
    if account is None:
        raise Http404
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound: dict[str, Any] = {
        kind: form_class(request.POST if action == kind else None, prefix=kind)
        for kind, form_class in ACCOUNT_FORMS.items()
    }
    for kind in (AccountChangeKind.ORGANISATION,):
        bound[kind] = forms.OrganisationForm(
            request.POST if action == kind else None, prefix=kind, organisations=selectors.organisations()
        )
    if request.method == "POST":
        try:
            if action in bound:
                form = bound[action]
                if form.is_valid():
                    values = {k: getattr(v, "pk", v) for k, v in form.cleaned_data.items()}
                    _propose(request, action, values, target=account)
                    return redirect("organisations:account", user_id=account.pk)
            elif action == AccountChangeKind.SECOND_FACTOR:
                _propose(request, action, {}, target=account)
                return redirect("organisations:account", user_id=account.pk)
            elif action == "deactivate":
                with transaction.atomic():
                    before = services.account_deactivate(actor=request.user, target=account)
                    access.record_account_change(
                        request.user,
                        object_type="account",
                        object_id=str(account.pk),
                        what="uitgezet",
                        before=before,
                        after=services.account_snapshot(selectors.account_by_id(account.pk)),
                        by=[request.user.username],
                    )
                messages.success(request, _("Het account staat uit. Alle sessies en tokens zijn beëindigd."))
                return redirect("organisations:account", user_id=account.pk)
            elif action == "activation":
                if account.has_usable_password() or not account.is_active or not account.email:
                    raise DomainError(_("Dit account heeft al een wachtwoord, staat uit of heeft geen e-mailadres."))
                _send_activation(request, account)
                messages.success(request, _("Er is een nieuwe activatielink gestuurd."))
                return redirect("organisations:account", user_id=account.pk)
            else:
                raise Http404
        except DomainError as error:
            if action in bound:
                bound[action].add_domain_error(error)
            else:
                messages.error(request, error.shown)
    return TemplateResponse(
        request,
        "organisations/account_detail.html",
        {
            "account": account,
            "forms": bound,
            "pending": selectors.pending_changes().filter(target=account),
            "nav": "accounts",
        },
        status=400 if any(f.errors for f in bound.values()) else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def region_change(request: access.AuthenticatedRequest, region_id: int) -> HttpResponse:
    access.require_user_administrator(request.user)
    region = selectors.region_by_id(region_id)
    if region is None:
        raise Http404
    form = forms.RegionForm(
        request.POST or None,
        municipalities=selectors.municipalities(),
        initial={"centre": region.centre, "executes_for": list(region.executes_for.all())},
    )
    if request.method == "POST" and form.is_valid():
        values = {
            "centre": form.cleaned_data["centre"].pk,
            "executes_for": [m.pk for m in form.cleaned_data["executes_for"]],
        }
        try:
            _propose(request, AccountChangeKind.REGION, values, region=region)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            return redirect("organisations:accounts")
    return TemplateResponse(
        request,
        "organisations/form.html",
        {"form": form, "title": _("Regio %(name)s wijzigen") % {"name": region.name}, "nav": "accounts"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def change_decide(request: access.AuthenticatedRequest, change_uuid: str) -> HttpResponse:
    """The second user administrator approves (carried out now) or rejects a proposal."""
    access.require_user_administrator(request.user)
    change = selectors.change_by_uuid(change_uuid)
    if change is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        with transaction.atomic():  # the change and its audit row with before and after, or neither
            decided = services.account_change_decide(actor=request.user, change=change, approve=approve)
            after = (
                services.region_snapshot(selectors.region_by_id(decided.region_id))
                if decided.region_id
                else services.account_snapshot(
                    selectors.account_by_id(decided.target_id) if decided.target_id else None
                )
            )
            _record(request.user, decided, decided.before, after if approve else decided.before)
    except DomainError as error:
        messages.error(request, error.shown)
        return redirect("organisations:accounts")
    if approve and decided.kind == AccountChangeKind.CREATE and decided.target is not None:
        _send_activation(request, decided.target)
        messages.success(request, _("Het account is gemaakt; de activatielink is verstuurd."))
    else:
        messages.success(request, _("Goedgekeurd en doorgevoerd.") if approve else _("Het voorstel is afgewezen."))
    return redirect("organisations:accounts")


@require_http_methods(["GET", "POST"])
def account_activate(request: Any, uidb64: str, token: str) -> HttpResponse:
    """The one-time activation link: the account holder chooses a password (72 hours; once)."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        user_id = 0
    user = selectors.account_by_id(user_id) if user_id else None
    if user is None or not user.is_active or not default_token_generator.check_token(user, token):
        return TemplateResponse(request, "organisations/activation_invalid.html", status=400)
    form = forms.ActivationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Uw wachtwoord is ingesteld. U kunt nu inloggen."))
        return redirect("login")
    return TemplateResponse(
        request,
        "organisations/form.html",
        {"form": form, "title": _("Kies uw wachtwoord"), "submit_label": _("Wachtwoord instellen")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: access.AuthenticatedRequest) -> HttpResponse:
    """Personal API tokens: made here, shown once, stored only as a hash."""
    if not access.may_hold_api_tokens(request.user):
        raise PermissionDenied
    form = forms.ApiTokenForm(request.POST or None, maximum=settings.DOORSTROOM_API_TOKEN_DAYS)
    shown_once = None
    if request.method == "POST" and form.is_valid():
        try:
            token, shown_once = services.api_token_issue(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            form = forms.ApiTokenForm(maximum=settings.DOORSTROOM_API_TOKEN_DAYS)
    response = TemplateResponse(
        request,
        "organisations/api_tokens.html",
        {"form": form, "tokens": selectors.tokens_of(request.user), "shown_once": shown_once, "nav": "tokens"},
        status=400 if form.errors else 200,
    )
    return response


@login_required
@require_POST
def api_token_revoke(request: access.AuthenticatedRequest, token_uuid: str) -> HttpResponse:
    if not access.may_hold_api_tokens(request.user):
        raise PermissionDenied
    token = selectors.token_of(request.user, token_uuid)
    if token is None:
        raise Http404
    services.api_token_revoke(token=token)
    messages.success(request, _("Het token is ingetrokken en werkt niet meer."))
    return redirect("organisations:api_tokens")
