"""Pages for studies: ask (evaluator, project leader), decide (privacy officer), fetch the
pseudonymised extract (the requester, once approved)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.core.errors import DomainError
from doorstroom.organisations.models import Role

from . import forms, selectors, services
from .models import StudyState


@login_required
def study_list(request: access.AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not (access.may_request_study(user) or user.role == Role.PRIVACY_OFFICER):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "research/study_list.html",
        {"studies": selectors.studies_of(user), "may_request": access.may_request_study(user), "nav": "research"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_create(request: access.AuthenticatedRequest) -> HttpResponse:
    if not access.may_request_study(request.user):
        raise PermissionDenied
    form = forms.StudyRequestForm(request.POST or None, programmes=selectors.programmes_for_study(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.study_request(
                user=request.user,
                title=data["title"],
                purpose=data["purpose"],
                programmes=list(data["programmes"]),
                period_from=data["period_from"],
                period_until=data["period_until"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Het onderzoek is aangevraagd; de privacyfunctionaris besluit erover."))
            return redirect("research:detail", study_uuid=study.uuid)
    return TemplateResponse(
        request, "research/study_form.html", {"form": form, "nav": "research"}, status=400 if form.errors else 200
    )


@login_required
def study_detail(request: access.AuthenticatedRequest, study_uuid: str) -> HttpResponse:
    study = selectors.study_for(request.user, study_uuid)
    if study is None:
        raise Http404
    may_decide = study.state == StudyState.REQUESTED and access.study_deciders_allowed(request.user, study.requested_by)
    return TemplateResponse(
        request,
        "research/study_detail.html",
        {
            "study": study,
            "codebook": services.codebook(study),
            "may_decide": may_decide,
            "decision_form": forms.StudyDecisionForm() if may_decide else None,
            "may_fetch": study.state == StudyState.APPROVED
            and access.may_request_study(request.user)
            and request.user.role == study.requested_by.role,
            "extracts": study.extracts.select_related("made_by"),
            "nav": "research",
        },
    )


@login_required
@require_POST
def study_decide(request: access.AuthenticatedRequest, study_uuid: str) -> HttpResponse:
    study = selectors.study_for(request.user, study_uuid)
    if study is None:
        raise Http404
    form = forms.StudyDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.study_decide(
                user=request.user,
                study=study,
                approve=form.cleaned_data["decision"] == "goedkeuren",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, error.shown)
        else:
            messages.success(request, _("Het besluit is vastgelegd."))
    else:
        messages.error(request, _("Kies goedkeuren of afwijzen."))
    return redirect("research:detail", study_uuid=study.uuid)


@login_required
@require_POST
def study_extract(request: access.AuthenticatedRequest, study_uuid: str) -> HttpResponse:
    study = selectors.study_for(request.user, study_uuid)
    if study is None:
        raise Http404
    file_format = request.POST.get("formaat", "xlsx")
    if file_format not in ("xlsx", "csv"):
        messages.error(request, _("Kies Excel of CSV."))
        return redirect("research:detail", study_uuid=study.uuid)
    try:
        content, name = services.study_extract(user=request.user, study=study, file_format=file_format)
    except DomainError as error:
        messages.error(request, error.shown)
        return redirect("research:detail", study_uuid=study.uuid)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if file_format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
