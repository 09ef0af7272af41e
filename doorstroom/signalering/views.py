"""The signals dashboard: the live signals on the user's caseload, within the categories they may
see, to acknowledge or take up with a note; and refreshing on demand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
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


def _per_colleague(user: access.User) -> tuple[list[dict], list[tuple[str, str]]]:
    """A team lead's overview: per colleague, the live signals on their caseload by rule (counts)."""
    counts = access.signal_counts_per_colleague(user)
    rules_shown = [(code, str(rule.label)) for code, rule in RULES.items()]
    rows = []
    for colleague in access.colleagues_for_reassignment(user):
        per_rule = counts.get(colleague.pk, {})
        rows.append(
            {
                "colleague": colleague,
                "counts": [per_rule.get(code, 0) for code, _ in rules_shown],
                "total": sum(per_rule.values()),
            }
        )
    return rows, rules_shown


@login_required
def dashboard(request: access.AuthenticatedRequest) -> HttpResponse:
    """The live signals on the user's caseload; for a team lead also the overview per colleague,
    and one colleague's list when chosen (what the team lead may see of it; the rest counted)."""
    user = request.user
    colleague = None
    colleague_id = request.GET.get("medewerker", "")
    if colleague_id.isdigit():
        colleague = access.colleagues_for_reassignment(user).filter(pk=int(colleague_id)).first()
        if colleague is None:
            raise Http404
    if colleague is not None:
        caseload = access.caseload_of_colleague(user, colleague)
        visible = access.signals_visible_to(user, caseload)
        signals = list(visible[:300])
        total = access.signal_counts_per_colleague(user).get(colleague.pk, {})
        hidden = max(sum(total.values()) - visible.count(), 0)
    else:
        narrowing_rule = request.GET.get("signaal", "")
        visible = access.signals_visible_to(user)
        if narrowing_rule in RULES:
            visible = visible.filter(rule=narrowing_rule)
        for word in request.GET.get("zoek", "").split()[:5]:
            visible = visible.filter(
                Q(participant__given_name__icontains=word) | Q(participant__family_name__icontains=word)
            )
        signals = list(visible[:300])
        hidden = 0
    for signal in signals:
        signal.rule_label = RULES[signal.rule].label if signal.rule in RULES else signal.rule  # type: ignore[attr-defined]
    access.record_list(user, [s.participant for s in signals], object_type="signals")
    per_colleague, rules_shown = _per_colleague(user) if user.role == "teamleider" else ([], [])
    return TemplateResponse(
        request,
        "signalering/dashboard.html",
        {
            "signals": signals,
            "rule_choices": [(code, str(rule.label)) for code, rule in RULES.items()],
            "chosen_rule": request.GET.get("signaal", ""),
            "chosen_search": request.GET.get("zoek", "")[:100],
            "colleague": colleague,
            "hidden": hidden,
            "per_colleague": per_colleague,
            "rules_shown": rules_shown,
            "may_refresh": user.role in REFRESH_ROLES,
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
