"""Programme pages: the shipped and local designs, and the board of who is where."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import selectors as enrollment_selectors
from doorstroom.enrollments import services as enrollment_services
from doorstroom.signalering import selectors as signal_selectors

from . import forms, selectors
from .models import DataNeedState, Programme, ProgrammeDataNeed


@login_required
def programme_list(request: access.AuthenticatedRequest) -> HttpResponse:
    programmes = access.programmes_usable_by(request.user).select_related("municipality").prefetch_related("phases")
    return TemplateResponse(
        request,
        "programmes/programme_list.html",
        {
            "programmes": programmes,
            "show_data_needs": bool(access.data_need_municipalities(request.user)),
            "nav": "programmes",
        },
    )


@login_required
def programme_board(request: access.AuthenticatedRequest, code: str) -> HttpResponse:
    """One column per phase with the count and the names of the participants the user may see."""
    programme = (
        access.programmes_usable_by(request.user).prefetch_related("outcomes", "groups").filter(code=code).first()
    )
    if programme is None:
        raise Http404
    user = request.user
    narrowing = forms.ListNarrowingForm(request.GET or None, signal_rules=signal_selectors.rule_choices())
    chosen = narrowing.cleaned_data if narrowing.is_bound and narrowing.is_valid() else {}
    enrollments = access.enrollments_visible_to(user)
    for word in (chosen.get("zoek") or "").split()[:5]:
        enrollments = enrollments.filter(
            Q(participant__given_name__icontains=word) | Q(participant__family_name__icontains=word)
        )
    if chosen.get("signaal"):
        with_signal = access.signals_visible_to(user).filter(rule=chosen["signaal"]).values("participant_id")
        enrollments = enrollments.filter(participant_id__in=with_signal)
    if chosen.get("alleen_mijn"):
        enrollments = enrollments.filter(participant__in=access.participants_on_caseload(user))
    columns = enrollment_selectors.programme_board(programme=programme, enrollments=enrollments, today=clock.today())
    access.record_list(
        request.user,
        [enrollment.participant for column in columns for enrollment, _ in column.cards],
        object_type="programme_board",
    )
    return TemplateResponse(
        request,
        "programmes/programme_board.html",
        {
            "programme": programme,
            "columns": columns,
            "narrowing": narrowing,
            "narrowed": any(chosen.get(k) for k in ("zoek", "signaal", "alleen_mijn")),
            "nav": "programmes",
        },
    )


def _programme(user: access.User, code: str) -> Programme:
    programme = access.programmes_usable_by(user).filter(code=code).first()
    if programme is None or not access.data_need_municipalities(user):
        raise Http404
    return programme


def _category_choices() -> list[tuple[str, str]]:
    labels = dict(access.Category.choices)
    return [(c, str(labels[c])) for c in forms.NEEDABLE]


def _need_row(need: ProgrammeDataNeed) -> dict[str, str]:
    return {"programma": need.programme.code, "rol": need.team_role, "categorie": need.category, "status": need.state}


@login_required
@require_http_methods(["GET", "POST"])
def data_needs(request: access.AuthenticatedRequest, code: str) -> HttpResponse:
    """Which data each part of the work in this programme needs: the functional administrator
    proposes, the municipality's director or privacy officer decides; approved needs become
    sharing grants when someone joins a participant's team in that role."""
    user = request.user
    programme = _programme(user, code)
    may_propose = access.may_propose_data_needs(user)
    form = forms.DataNeedProposalForm(
        request.POST if request.method == "POST" else None, category_choices=_category_choices()
    )
    if request.method == "POST":
        if not may_propose:
            raise access.Refusal(
                _("Alleen de functioneel beheerder van de gemeente stelt gegevensbehoeften voor."), code="not_allowed"
            )
        if form.is_valid():
            try:
                with transaction.atomic():
                    needs = enrollment_services.data_need_propose(
                        actor=user,
                        programme=programme,
                        team_role=form.cleaned_data["team_role"],
                        categories=form.cleaned_data["categories"],
                        statute=form.cleaned_data["statute"],
                        reason=form.cleaned_data["reason"],
                    )
                    access.record_data_need_change(
                        user,
                        need_ids=[n.pk for n in needs],
                        what="voorgesteld",
                        before={},
                        after={"behoeften": [_need_row(n) for n in needs], "wet": form.cleaned_data["statute"]},
                    )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, _("Het voorstel is vastgelegd; het geldt pas na goedkeuring."))
                return redirect("programmes:data_needs", code=programme.code)
    return TemplateResponse(
        request,
        "programmes/data_needs.html",
        {
            "programme": programme,
            "needs": selectors.data_needs_of(programme, access.data_need_municipalities(user)),
            "form": form if may_propose else None,
            "may_decide": access.may_decide_data_needs(user),
            "decision_form": forms.DataNeedDecisionForm(),
            "withdrawal_form": forms.DataNeedWithdrawalForm(),
            "category_labels": dict(access.Category.choices),
            "nav": "programmes",
        },
        status=400 if form.errors else 200,
    )


def _need_to_decide(user: access.User, code: str, need_id: int) -> ProgrammeDataNeed:
    programme = _programme(user, code)
    need = selectors.data_need_of(programme, need_id, access.data_need_municipalities(user))
    if need is None:
        raise Http404
    if not access.may_decide_data_needs(user):
        raise access.Refusal(
            _("Alleen een klantregisseur of de privacyfunctionaris van de gemeente besluit hierover."),
            code="not_allowed",
        )
    return need


@login_required
@require_POST
def data_need_decide(request: access.AuthenticatedRequest, code: str, need_id: int) -> HttpResponse:
    need = _need_to_decide(request.user, code, need_id)
    form = forms.DataNeedDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies goedkeuren of afwijzen."))
        return redirect("programmes:data_needs", code=code)
    approve = form.cleaned_data["decision"] == "goedkeuren"
    try:
        with transaction.atomic():
            before = _need_row(need)
            need = enrollment_services.data_need_decide(
                actor=request.user, need=need, approve=approve, note=form.cleaned_data["note"]
            )
            access.record_data_need_change(
                request.user, need_ids=[need.pk], what=need.state, before=before, after=_need_row(need)
            )
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        if need.state == DataNeedState.APPROVED:
            messages.success(request, _("Goedgekeurd: teamleden in deze rol krijgen deze gegevens nu gedeeld."))
        else:
            messages.success(request, _("Het voorstel is afgewezen."))
    return redirect("programmes:data_needs", code=code)


@login_required
@require_POST
def data_need_withdraw(request: access.AuthenticatedRequest, code: str, need_id: int) -> HttpResponse:
    need = _need_to_decide(request.user, code, need_id)
    form = forms.DataNeedWithdrawalForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Zeg waarom u de behoefte intrekt."))
        return redirect("programmes:data_needs", code=code)
    try:
        with transaction.atomic():
            before = _need_row(need)
            need = enrollment_services.data_need_withdraw(actor=request.user, need=need, note=form.cleaned_data["note"])
            access.record_data_need_change(
                request.user, need_ids=[need.pk], what=need.state, before=before, after=_need_row(need)
            )
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("De behoefte is ingetrokken; de delingen die eruit volgden zijn beëindigd."))
    return redirect("programmes:data_needs", code=code)
