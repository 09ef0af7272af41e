from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from doorstroom.web import oidc
from doorstroom.web import views as web_views
from doorstroom.web.forms import ThrottledAuthenticationForm

admin.site.site_header = "Doorstroom – functioneel beheer"
admin.site.site_title = "Doorstroom beheer"
admin.site.index_title = "Programma's, organisaties en instellingen"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("start/beheer/", web_views.administrator_start, name="administrator_start"),
    path(
        "inloggen/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("inloggen/code/", web_views.second_factor, name="second_factor"),
    path("inloggen/instellen/", web_views.second_factor_setup, name="second_factor_setup"),
    path("inloggen/gemeente/", oidc.login_start, name="oidc_authentication_init"),
    path("inloggen/gemeente/terug/", oidc.login_callback, name="oidc_authentication_callback"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("api/", include("doorstroom.api.urls")),
    path("", include("doorstroom.participants.urls")),
    path("", include("doorstroom.enrollments.urls")),
    path("", include("doorstroom.programmes.urls")),
    path("", include("doorstroom.retention.urls")),
    path("", include("doorstroom.measurements.urls")),
    path("", include("doorstroom.plans.urls")),
    path("", include("doorstroom.contacts.urls")),
    path("", include("doorstroom.referrals.urls")),
    path("", include("doorstroom.signalering.urls")),
    path("", include("doorstroom.organisations.urls")),
    path("", include("doorstroom.monitoring.urls")),
    path("", include("doorstroom.imports.urls")),
    path("", include("doorstroom.research.urls")),
    path("", include("doorstroom.operations.urls")),
]

handler400 = "doorstroom.api.errors.bad_request"
handler403 = "doorstroom.api.errors.permission_denied"
handler404 = "doorstroom.api.errors.not_found"
handler500 = "doorstroom.api.errors.server_error"
