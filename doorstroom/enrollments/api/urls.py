from django.urls import path

from . import views

urlpatterns = [
    path("inschrijvingen/", views.EnrollmentListCreateApi.as_view(), name="api-enrollments"),
    path("inschrijvingen/<uuid:enrollment_uuid>/", views.EnrollmentDetailApi.as_view(), name="api-enrollment"),
    path(
        "inschrijvingen/<uuid:enrollment_uuid>/gebeurtenissen/",
        views.EnrollmentEventListCreateApi.as_view(),
        name="api-enrollment-events",
    ),
    path("deelnemers/<uuid:participant_uuid>/team/", views.TeamListCreateApi.as_view(), name="api-participant-team"),
]
