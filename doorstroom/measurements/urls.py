from django.urls import path

from . import views

app_name = "measurements"

urlpatterns = [
    path("deelnemers/<uuid:participant_uuid>/metingen/", views.measurements_overview, name="overview"),
    path(
        "deelnemers/<uuid:participant_uuid>/metingen/nieuw/<slug:code>/",
        views.measurement_create,
        name="create",
    ),
    path("deelnemers/<uuid:participant_uuid>/intake/", views.broad_intake, name="intake"),
    path("deelnemers/<uuid:participant_uuid>/taalscreening/", views.screening_create, name="screening_create"),
]
