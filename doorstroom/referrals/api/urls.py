from django.urls import path

from . import views

urlpatterns = [
    path("aanmeldingen/", views.ReferralListApi.as_view(), name="api-referrals"),
    path(
        "deelnemers/<uuid:participant_uuid>/aanmeldingen/",
        views.ReferralCreateApi.as_view(),
        name="api-participant-referrals",
    ),
    path(
        "aanmeldingen/<uuid:referral_uuid>/antwoord/", views.ReferralDecisionApi.as_view(), name="api-referral-answer"
    ),
]
