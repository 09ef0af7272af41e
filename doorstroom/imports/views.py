"""The web upload for small files: check first (a preview of what would happen and every problem),
then write with one more click. Large files go through `manage.py import_history`."""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.core.messages import shown

from . import forms, services
from .rules import MAX_BYTES_WEB

#: How long checked files wait for the click that writes them.
HELD_SECONDS = 30 * 60


def _held_key(user_pk: int, token: str) -> str:
    return f"doorstroom:import:{user_pk}:{token}"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: access.AuthenticatedRequest) -> HttpResponse:
    if not access.may_import(request.user):
        raise PermissionDenied
    context: dict[str, Any] = {"nav": "import"}
    status = 200
    token = request.POST.get("token", "")
    if request.method == "POST" and token:
        files = cache.get(_held_key(request.user.pk, token))
        if files is None:
            messages.error(request, _("De gecontroleerde bestanden zijn verlopen. Kies ze opnieuw."))
            return redirect("imports:upload")
        outcome = services.import_files(user=request.user, files=files, write=True, max_bytes=MAX_BYTES_WEB)
        if outcome.ok:
            cache.delete(_held_key(request.user.pk, token))
            messages.success(
                request,
                _("De bestanden zijn ingelezen: %(count)s deelnemers.") % {"count": outcome.participants}
                if outcome.written
                else _("Niets nieuws: alles in deze bestanden stond er al."),
            )
            return redirect("imports:upload")
        context.update(outcome=outcome, problems=_problems(outcome), form=forms.UploadForm())
        status = 400
    elif request.method == "POST":
        form = forms.UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            files = [(f.name, f.read()) for f in form.cleaned_data["bestanden"]]
            outcome = services.import_files(user=request.user, files=files, write=False, max_bytes=MAX_BYTES_WEB)
            context.update(outcome=outcome, problems=_problems(outcome))
            if outcome.ok:
                token = secrets.token_urlsafe(16)
                cache.set(_held_key(request.user.pk, token), files, HELD_SECONDS)
                context["token"] = token
            else:
                status = 400
        else:
            status = 400
    else:
        context["form"] = forms.UploadForm()
    return TemplateResponse(request, "imports/upload.html", context, status=status)


def _problems(outcome: services.ImportOutcome) -> list[dict[str, Any]]:
    return [
        {"file": p.file, "row": p.row or "", "column": p.column, "message": shown(p.message, _)}
        for p in outcome.problems
    ]
