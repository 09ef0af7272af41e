from django.urls import path

from . import views

app_name = "enrollments"

urlpatterns = [
    path("mijn-deelnemers/", views.caseload, name="caseload"),
    path("team/caseload-overdragen/", views.caseload_reassign, name="caseload_reassign"),
    path("deelnemers/<uuid:participant_uuid>/inschrijven/", views.enrollment_create, name="create"),
    path("deelnemers/<uuid:participant_uuid>/team/", views.team_assignment_create, name="team_add"),
    path(
        "deelnemers/<uuid:participant_uuid>/team/<uuid:assignment_uuid>/beeindigen/",
        views.team_assignment_end,
        name="team_end",
    ),
    path("deelnemers/<uuid:participant_uuid>/regie/", views.director_handover, name="director_handover"),
    path("inschrijvingen/<uuid:enrollment_uuid>/", views.enrollment_card, name="card"),
    path(
        "inschrijvingen/<uuid:enrollment_uuid>/stap/<str:event_type>/",
        views.enrollment_event_create,
        name="event_create",
    ),
    path("inschrijvingen/<uuid:enrollment_uuid>/corrigeren/", views.enrollment_event_correct, name="correct"),
    path("inschrijvingen/<uuid:enrollment_uuid>/werkwijze/", views.enrollment_tags, name="tags"),
]
