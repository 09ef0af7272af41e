from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/aanmelden/", views.referral_create, name="create"),
    path("aanmeldingen/", views.referral_inbox, name="inbox"),
    path("aanmeldingen/<uuid:referral_uuid>/", views.referral_decide, name="decide"),
    path("aanmeldingen/<uuid:referral_uuid>/intrekken/", views.referral_withdraw, name="withdraw"),
]
