"""Shell pages without domain content."""

import base64

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

#: where each role starts: its daily work, not an empty caseload
START_PAGES = {
    "beheerder": "administrator_start",
    "gebruikersbeheerder": "organisations:accounts",
    "privacyfunctionaris": "participants:written_access_request",
    "archivaris": "retention:destruction_lists",
    "projectleider": "monitoring:report",
    "onderzoeker": "monitoring:report",
}


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(START_PAGES.get(getattr(request.user, "role", ""), "enrollments:caseload"))
    return redirect("login")


@login_required
def administrator_start(request: HttpRequest) -> HttpResponse:
    """The functional administrator's start page: what the role does (programme design, data needs,
    organisations, signal thresholds) and what it does not (no case content, no accounts)."""
    from django.http import Http404
    from django.template.response import TemplateResponse

    if getattr(request.user, "role", "") != "beheerder":
        raise Http404
    return TemplateResponse(request, "web/administrator_start.html", {"nav": "administrator"})


def _next_url(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Step two of logging in: a code from the authenticator app (or a one-time recovery code)."""
    from django.contrib import messages
    from django.template.response import TemplateResponse

    import django_otp

    from .forms import SecondFactorForm

    if not django_otp.user_has_device(request.user):
        return redirect(f"/inloggen/instellen/?next={_next_url(request)}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is None:
            form.add_error("token", _("Deze code klopt niet of is verlopen."))
        else:
            request.session.cycle_key()  # a new session key once the second factor is passed
            django_otp.login(request, device)
            messages.success(request, _("U bent ingelogd."))
            return redirect(_next_url(request))
    return TemplateResponse(
        request,
        "web/second_factor.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """First login: connect an authenticator app (TOTP) and confirm it with a code."""
    from django.template.response import TemplateResponse

    import django_otp

    from doorstroom.organisations import services as account_services

    from .forms import SecondFactorForm

    if django_otp.user_has_device(request.user):
        return redirect(f"/inloggen/code/?next={_next_url(request)}")
    device = account_services.totp_device_to_confirm(request.user)  # type: ignore[arg-type]
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if account_services.totp_device_confirm(device, form.cleaned_data["token"].replace(" ", "")):
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer opnieuw."))
    secret = base64.b32encode(device.bin_key).decode()
    return TemplateResponse(
        request,
        "web/second_factor_setup.html",
        {"form": form, "secret": secret, "config_url": device.config_url, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )
