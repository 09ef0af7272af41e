"""The signals dashboard: the live signals on the user's caseload, within the categories they may
see, to acknowledge or take up with a note; and refreshing on demand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.core.errors import DomainError

from . import services
from .registry import RULES

REFRESH_ROLES = frozenset({"klantregisseur", "teamleider"})


@login_required
def dashboard(request: access.AuthenticatedRequest) -> HttpResponse:
    signals = list(access.signals_visible_to(request.user)[:300])
    for signal in signals:
        signal.rule_label = RULES[signal.rule].label if signal.rule in RULES else signal.rule  # type: ignore[attr-defined]
    access.record_list(request.user, [s.participant for s in signals], object_type="signals")
    return TemplateResponse(
        request,
        "signalering/dashboard.html",
        {
            "signals": signals,
            "may_refresh": request.user.role in REFRESH_ROLES,
            "nav": "signals",
        },
    )


@login_required
@require_POST
def signal_handle(request: access.AuthenticatedRequest, signal_uuid: str) -> HttpResponse:
    signal = access.require_signal(request.user, signal_uuid)
    try:
        services.signal_handle(
            signal=signal, actor=request.user, action=request.POST.get("action", ""), note=request.POST.get("note", "")
        )
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        messages.success(request, _("Het signaal is bijgewerkt."))
    return redirect("signalering:dashboard")


@login_required
@require_http_methods(["POST"])
def refresh(request: access.AuthenticatedRequest) -> HttpResponse:
    if request.user.role not in REFRESH_ROLES:
        raise PermissionDenied
    counts = services.signals_refresh(today=clock.today())
    opened = sum(o for o, _ in counts.values())
    closed = sum(c for _, c in counts.values())
    messages.success(
        request,
        _("Signalen bijgewerkt: %(opened)s nieuw, %(closed)s vanzelf gesloten.") % {"opened": opened, "closed": closed},
    )
    return redirect("signalering:dashboard")
