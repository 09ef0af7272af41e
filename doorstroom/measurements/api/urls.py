from django.urls import path

from . import views

urlpatterns = [
    path(
        "deelnemers/<uuid:participant_uuid>/metingen/",
        views.MeasurementListCreateApi.as_view(),
        name="api-participant-measurements",
    ),
]
